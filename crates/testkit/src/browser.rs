//! A headless Chromium driven over WebDriver, for end-to-end tests of the
//! pages acsready writes (the HTML report) and serves (the dashboard).
//!
//! `chromedriver` (Debian: chromium-driver) is started on a free loopback
//! port with a fresh profile; Chromium runs with the flags that keep it off
//! the network (no background networking, component updates or sync), so
//! the tests work on air-gapped machines. `scripts/test` installs both and
//! sets `ACSREADY_BROWSER_TESTS=require`: then a missing browser fails the
//! test; otherwise the test says it was skipped and passes nothing.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// A running chromedriver and one browser session on it.
pub struct Browser {
    client: Client,
    driver: Child,
    profile: PathBuf,
}

fn find_program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    l.local_addr().expect("local address").port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session with a window of
    /// `width` × `height`. `None` (after saying so on stderr) when the
    /// browser is not installed and `ACSREADY_BROWSER_TESTS` is not
    /// `require`.
    pub async fn start(width: u32, height: u32) -> Option<Browser> {
        let driver = find_program("ACSREADY_CHROMEDRIVER", &["chromedriver"]);
        let chromium = find_program("ACSREADY_CHROMIUM", &["chromium", "chromium-browser"]);
        let (driver, chromium) = match (driver, chromium) {
            (Some(d), Some(c)) => (d, c),
            _ => {
                let msg = "chromium and chromedriver are needed for the browser tests \
                           (Debian packages chromium and chromium-driver; scripts/test installs them)";
                if std::env::var("ACSREADY_BROWSER_TESTS").as_deref() == Ok("require") {
                    panic!("{msg}");
                }
                eprintln!("skipped: {msg}");
                return None;
            }
        };
        let port = free_port();
        let profile = crate::temp_dir(&format!("chromium-profile-{port}"));
        let mut child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver.display()));
        let url = format!("http://127.0.0.1:{port}");
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--lang=en-US", "--enable-precise-memory-info",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("a JSON object literal")
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let attempt = ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await;
            match attempt {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    if let Ok(Some(status)) = child.try_wait() {
                        panic!("chromedriver exited ({status}) before a session started: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    let _ = child.kill();
                    panic!("no WebDriver session on {url} within 30 s: {e}");
                }
            }
        };
        Some(Browser {
            client,
            driver: child,
            profile,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens a local file.
    pub async fn open_file(&self, path: &Path) {
        let abs = std::fs::canonicalize(path).expect("the page exists");
        let url = format!("file://{}", abs.display());
        self.client.goto(&url).await.expect("page opens");
    }

    /// The text of the one element `css` selects.
    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("no text of {css}: {e}"))
    }

    /// The texts of every element `css` selects, in document order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("query")
        {
            out.push(e.text().await.expect("text"));
        }
        out
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    /// Replaces the value of the input `css` with `text`, as typed.
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"));
        e.clear().await.expect("clear the input");
        e.send_keys(text).await.expect("typing");
    }

    /// How many elements `css` selects.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("query")
            .len()
    }

    /// An attribute of the element `css` selects; `None` when it has no
    /// such attribute or the page has no such element (yet: a page being
    /// loaded is waited for with [`Browser::wait_until`]).
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.attr(name).await.ok().flatten()
    }

    /// Runs `script` (a function body; `return` gives the value) in the page.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Waits up to 10 s until `check` holds; panics with `what` otherwise.
    pub async fn wait_until<F, Fut>(&self, what: &str, check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        self.wait_for(what, Duration::from_secs(10), check).await
    }

    /// Waits up to `limit` until `check` holds; panics with `what` otherwise.
    pub async fn wait_for<F, Fut>(&self, what: &str, limit: Duration, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + limit;
        while !check().await {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a PNG of the viewport to `path` (folders created).
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        std::fs::write(path, png).expect("screenshot written");
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A failed assertion unwinds past `close`: never leave chromedriver behind.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
