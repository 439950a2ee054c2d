//! How far the reading of disk images (`--image`) is, on standard error
//! when it is a terminal: one line, the image and the file being read.

use std::io::IsTerminal;
use std::sync::{Arc, OnceLock};

use acsready_intake::ImageProgress;
use acsready_report::Label;
use acsready_rules::Lang;

/// The language of the run, set once at its start.
static LANG: OnceLock<Lang> = OnceLock::new();

/// Sets the language progress is shown in.
pub(crate) fn set_lang(lang: Lang) {
    let _ = LANG.set(lang);
}

/// The progress line of images, or `None` where it is not shown (pipes,
/// CI).
pub(crate) fn image_progress() -> Option<ImageProgress> {
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return None;
    }
    let lang = LANG.get().copied().unwrap_or_default();
    let bar =
        indicatif::ProgressBar::new_spinner().with_finish(indicatif::ProgressFinish::AndClear);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(ImageProgress(Arc::new(move |image, p| {
        let image = std::path::Path::new(image)
            .file_name()
            .map_or_else(|| image.to_string(), |n| n.to_string_lossy().into_owned());
        let mb = |n: u64| format!("{:.1}", n as f64 / (1 << 20) as f64);
        bar.set_message(acsready_rules::fill(
            Label::ImageProgress.text(lang),
            &[
                ("image", &image),
                ("file", p.file),
                ("done", &mb(p.done)),
                ("total", &mb(p.total)),
            ],
        ));
    })))
}
