//! The agent's HTTP calls to the service: enrol, check in, report an outcome. Blocking (ureq), with a
//! timeout; errors say which call failed and the service's own message.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

use super::protocol::{CheckinRequest, CheckinResponse, EnrolRequest, EnrolResponse, OutcomeRequest, OutcomeResponse};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// 401: the token is unknown, expired or revoked.
    Unauthorized(String),
    /// Any other refusal, with the status and the service's message.
    Refused(u16, String),
    /// No answer: network, DNS, TLS, timeout.
    Unreachable(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Unauthorized(m) => write!(f, "not authorised (401): {m}"),
            ClientError::Refused(s, m) => write!(f, "refused ({s}): {m}"),
            ClientError::Unreachable(m) => write!(f, "service unreachable: {m}"),
        }
    }
}

pub struct Client {
    base: String,
    http: ureq::Agent,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let http = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("greenict-agent/", env!("CARGO_PKG_VERSION")))
            .build();
        Client { base: base.trim_end_matches('/').to_string(), http }
    }

    fn post<B: Serialize, R: DeserializeOwned>(&self, path: &str, token: &str, body: &B) -> Result<R, ClientError> {
        let url = format!("{}/api/v1/agent/{path}", self.base);
        let res = self.http.post(&url).set("Authorization", &format!("Bearer {token}")).send_json(body);
        match res {
            Ok(r) => r.into_json().map_err(|e| ClientError::Unreachable(format!("unreadable answer from {url}: {e}"))),
            Err(ureq::Error::Status(status, r)) => {
                let text = r.into_string().unwrap_or_default();
                let message = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                    .unwrap_or(text);
                if status == 401 {
                    Err(ClientError::Unauthorized(message))
                } else {
                    Err(ClientError::Refused(status, message))
                }
            }
            Err(e) => Err(ClientError::Unreachable(e.to_string())),
        }
    }

    pub fn enrol(&self, enrolment_token: &str, req: &EnrolRequest) -> Result<EnrolResponse, ClientError> {
        self.post("enrol", enrolment_token, req)
    }

    pub fn checkin(&self, device_token: &str, req: &CheckinRequest) -> Result<CheckinResponse, ClientError> {
        self.post("checkin", device_token, req)
    }

    pub fn outcome(&self, device_token: &str, req: &OutcomeRequest) -> Result<OutcomeResponse, ClientError> {
        self.post("outcome", device_token, req)
    }
}
