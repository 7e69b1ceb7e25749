//! A plain SMTP sink on 127.0.0.1: EHLO (offering 8BITMIME and AUTH, not STARTTLS),
//! AUTH, MAIL, RCPT, DATA, RSET, QUIT, recording every command and the message DATA
//! carries. Each session answers MAIL FROM with the next line of a script (the last
//! repeating), so a test can refuse for now (451) or for good (550). It stops when
//! dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One SMTP session: the commands in order and the message, if DATA got one.
#[derive(Debug, Clone, Default)]
pub(super) struct Session {
    pub(super) commands: Vec<String>,
    pub(super) data: Option<String>,
}

impl Session {
    pub(super) fn sent(&self, verb: &str) -> bool {
        self.commands
            .iter()
            .any(|c| c.to_ascii_uppercase().starts_with(verb))
    }
}

pub(super) struct Sink {
    addr: SocketAddr,
    sessions: Arc<Mutex<Vec<Session>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Sink {
    /// A sink answering MAIL FROM in its `n`th session with `mail[n]` (`"250 2.1.0 ok"`,
    /// `"451 4.3.0 try again later"`, …).
    pub(super) fn start(mail: &[&str]) -> Sink {
        assert!(!mail.is_empty(), "a script needs a reply");
        let mail: Arc<Vec<String>> = Arc::new(mail.iter().map(|m| m.to_string()).collect());
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let sessions = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (sessions, stop) = (Arc::clone(&sessions), Arc::clone(&stop));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (sessions, mail) = (Arc::clone(&sessions), Arc::clone(&mail));
                    std::thread::spawn(move || serve(stream, &sessions, &mail));
                }
            })
        };
        Sink {
            addr,
            sessions,
            stop,
            accept: Some(accept),
        }
    }

    /// `smtp://127.0.0.1:PORT?tls=none`.
    pub(super) fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    pub(super) fn port(&self) -> u16 {
        self.addr.port()
    }

    pub(super) fn sessions(&self) -> Vec<Session> {
        self.sessions.lock().expect("sessions").clone()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve(stream: TcpStream, sessions: &Mutex<Vec<Session>>, mail: &[String]) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let index = {
        let mut sessions = sessions.lock().expect("sessions");
        sessions.push(Session::default());
        sessions.len() - 1
    };
    let record = |f: &mut dyn FnMut(&mut Session)| {
        if let Some(session) = sessions.lock().expect("sessions").get_mut(index) {
            f(session);
        }
    };
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut say = |text: &str| writer.write_all(text.as_bytes()).is_ok();
    if !say("220 sink.test ESMTP ready\r\n") {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_string();
        record(&mut |s| s.commands.push(command.clone()));
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n".to_string(),
            "HELO" | "RCPT" | "RSET" | "NOOP" => "250 2.0.0 ok\r\n".to_string(),
            "AUTH" => "235 2.7.0 accepted\r\n".to_string(),
            "MAIL" => format!("{}\r\n", mail[index.min(mail.len() - 1)]),
            "DATA" => {
                if !say("354 go ahead\r\n") {
                    return;
                }
                let mut data = String::new();
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    // Undo dot-stuffing.
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                record(&mut |s| s.data = Some(data.clone()));
                "250 2.0.0 queued\r\n".to_string()
            }
            "QUIT" => {
                say("221 2.0.0 bye\r\n");
                return;
            }
            _ => "502 5.5.2 not implemented\r\n".to_string(),
        };
        if !say(&answer) {
            return;
        }
    }
}
