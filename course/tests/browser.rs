//! A learner's view, proven in a real browser: JupyterLab from `course lab`, key lessons opened
//! in headless Chromium (driven over WebDriver with chromedriver), every cell run from the Run
//! menu, and what the page shows checked: no error output, every check ✓, tables and charts
//! drawn (lesson 4: the data table, the scatter chart and the loss curve, and the printed
//! accuracy). One screenshot per lesson goes to `target/screenshots/`; the README shows copies
//! of them from `docs/screenshots/`.
//!
//! JupyterLab runs with its own settings folder (autosave off) and workspace folder, so the
//! test leaves the lesson notebooks as they were; it checks that too.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Run as root with apt (as in CI), the test
//! installs them itself; otherwise, without them, it fails and says how to get them.

mod common;

use common::{free_port, root, start_lab};
use fantoccini::{Client, ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, killed when dropped.
struct Driver(std::process::Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn connect(port: u16, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                     format!("--user-data-dir={}", profile.display())]
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::rustls()
            .expect("rustls connector")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return client,
            Err(e) if Instant::now() > deadline => panic!("cannot reach chromedriver: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}

async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.text().await.unwrap_or_default());
    }
    out
}

/// Installs Debian's `chromium` and `chromium-driver` when they are missing and this runs as
/// root with apt (as CI does); otherwise fails saying what is missing and how to get it.
fn ensure_chromium() {
    let present = || {
        [CHROMIUM, CHROMEDRIVER]
            .iter()
            .all(|t| std::path::Path::new(t).is_file())
    };
    if present() {
        return;
    }
    let root_with_apt =
        rustix::process::geteuid().is_root() && std::path::Path::new("/usr/bin/apt-get").is_file();
    assert!(
        root_with_apt,
        "this test drives headless Chromium and needs {CHROMIUM} and {CHROMEDRIVER}; it installs \
         them itself only as root on Debian. Install them with \
         `sudo apt-get install chromium chromium-driver`, then run the test again"
    );
    eprintln!("installing chromium and chromium-driver with apt-get (for the browser test)");
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .expect("apt-get runs")
            .success()
    };
    // A fresh machine may have no package lists yet.
    if !apt(&["install", "-y", "-q", "chromium", "chromium-driver"]) {
        assert!(apt(&["update", "-q"]), "apt-get update failed");
        assert!(
            apt(&["install", "-y", "-q", "chromium", "chromium-driver"]),
            "apt-get install chromium chromium-driver failed"
        );
    }
    assert!(
        present(),
        "apt-get installed chromium, yet {CHROMIUM} or {CHROMEDRIVER} is missing"
    );
}

/// What a lesson's run showed.
struct Shown {
    /// The text of every output, cell by cell.
    page: String,
    /// Error and stderr outputs.
    errors: Vec<String>,
    /// Rendered tables.
    tables: usize,
    /// Rendered SVG charts.
    charts: usize,
    /// A screenshot with the chosen output in view.
    screenshot: Vec<u8>,
    /// How soon the first result came.
    timing: Timing,
    /// Whether the lesson got a warm kernel from the lab's pool.
    pooled: bool,
    /// The number in each code cell's prompt (`[5]:`), None where it shows none.
    numbers: Vec<Option<u32>>,
}

/// How soon a lesson's first result came.
#[derive(Clone, Copy, Debug)]
struct Timing {
    /// Seconds from the lesson's first code cell showing its code to that cell's result (Run
    /// All clicked as soon as the kernel showed).
    first_result: f64,
    /// Seconds from JupyterLab's first, blank cell showing to the lesson's first code cell
    /// showing its code (runs before 2026-12-01 timed the result from the blank cell).
    blank_before: f64,
}

/// Charts: SVG outputs, and the SVGs of side-by-side figures (an HTML output).
const CHARTS: &str =
    ".jp-OutputArea-output.jp-RenderedSVG, .jp-OutputArea-output.jp-RenderedHTMLCommon svg";
const ERRORS: &str = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error'], \
                      .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']";

/// What a screenshot centres on.
#[derive(Clone, Copy)]
enum Focus {
    /// The chart with this index.
    Chart(usize),
    /// The first output whose text contains this.
    Output(&'static str),
}

/// Clicks `item` (a JupyterLab command, e.g. `runmenu:run-all`) in the menu bar's `menu`.
async fn menu(client: &Client, menu: &str, item: &str) {
    // One query for the menu (asking each entry its text costs a round trip each).
    let entry = format!("//li[contains(@class, 'lm-MenuBar-item')][normalize-space(.)='{menu}']");
    client
        .find(Locator::XPath(&entry))
        .await
        .unwrap_or_else(|e| panic!("no {menu} menu: {e}"))
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "li.lm-Menu-item[data-command='{item}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("the {menu} menu has no {item}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the kernel has run every cell it was asked to (a cell's prompt reads `[*]:`
/// while it waits or runs) and every code cell has run or an error stopped the run (after an
/// error JupyterLab runs no further cells, so their prompts stay `[ ]:`).
async fn wait_until_run(client: &Client, lesson: &str) {
    let deadline = Instant::now() + Duration::from_secs(900);
    let mut settled = 0;
    while settled < 2 {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let prompts = texts(client, ".jp-CodeCell .jp-InputPrompt").await;
        let running = prompts.iter().any(|p| p.contains('*'));
        let all_ran = !prompts.is_empty()
            && prompts.iter().all(|p| {
                p.trim_start_matches('[')
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
            });
        let stopped = !client
            .find_all(Locator::Css(ERRORS))
            .await
            .unwrap()
            .is_empty();
        settled = if !running && (all_ran || stopped) {
            settled + 1
        } else {
            0
        };
        assert!(
            Instant::now() < deadline,
            "{lesson}: cells still running after 15 minutes: {prompts:?}"
        );
    }
}

/// When a lesson's first code cell shows (every lesson's begins with its `:dep` line).
const FIRST_CODE: &str =
    "//div[contains(@class, 'jp-CodeCell')]//div[contains(@class, 'cm-content')][contains(., ':dep')]";

/// Opens `lesson` in a fresh browser session, waits for the course kernel, runs all cells
/// from the Run menu and waits until they ran. The browser's profile folder goes with the
/// client.
async fn open_and_run_all(
    driver: u16,
    lab: &common::Lab,
    lesson: &str,
) -> (Client, tempfile::TempDir, Timing) {
    let profile = tempfile::tempdir().unwrap();
    let client = connect(driver, profile.path()).await;
    let url = format!(
        "http://127.0.0.1:{}/lab/tree/{lesson}?reset&token={}",
        lab.port, lab.token
    );
    client.goto(&url).await.unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css(".jp-Notebook .jp-CodeCell"))
        .await
        .unwrap_or_else(|e| panic!("{lesson} does not open in JupyterLab: {e}"));
    // JupyterLab has loaded and shows a blank cell; the lesson's cells follow once its file
    // is read and drawn.
    let blank = Instant::now();
    while client.find(Locator::XPath(FIRST_CODE)).await.is_err() {
        assert!(
            blank.elapsed() < Duration::from_secs(60),
            "{lesson}: its first code cell never showed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The lesson is open: its first code cell shows, and its kernel is being asked for.
    let opened = Instant::now();
    let blank_before = (opened - blank).as_secs_f64();
    // The kernel's name shows in the toolbar once it is connected.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !texts(&client, ".jp-Toolbar-kernelName")
        .await
        .iter()
        .any(|t| t.contains("backprop"))
    {
        assert!(
            Instant::now() < deadline,
            "{lesson}: the course kernel never showed in the toolbar"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    menu(&client, "Run", "runmenu:run-all").await;
    let first_result = loop {
        let prompts = texts(&client, ".jp-CodeCell .jp-InputPrompt").await;
        let first = prompts.first().map(|p| p.trim_start_matches('['));
        if first.is_some_and(|p| p.starts_with(|c: char| c.is_ascii_digit())) {
            break opened.elapsed().as_secs_f64();
        }
        assert!(
            opened.elapsed() < Duration::from_secs(900),
            "{lesson}: no result of the first cell after 15 minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    wait_until_run(&client, lesson).await;
    let timing = Timing {
        first_result,
        blank_before,
    };
    (client, profile, timing)
}

/// How many times the lab's pool handed a warm kernel to `lesson`.
fn handed(lab: &common::Lab, lesson: &str) -> usize {
    lab.log_lines("[backprop pool] handed warm kernel")
        .iter()
        .filter(|l| l.ends_with(&format!("/{lesson}")))
        .count()
}

/// Waits until the lab's pool holds a warm kernel for each way the lessons load the course
/// crate (the first time on a machine that compiles polars: minutes).
fn wait_for_pool(lab: &common::Lab) {
    let deadline = Instant::now() + Duration::from_secs(1500);
    loop {
        let failed = lab.log_lines("[backprop pool] could not warm");
        assert!(failed.is_empty(), "the pool failed: {failed:#?}");
        let planned = lab.log_lines("[backprop pool] keeping");
        let ready = lab
            .log_lines("[backprop pool] a warm kernel is ready")
            .len();
        if !planned.is_empty() && ready >= 2 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the pool was not warm after 25 minutes: {:#?}",
            lab.log_lines("[backprop pool]")
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Scrolls `element` to the middle of the window.
async fn centre(client: &Client, element: &fantoccini::elements::Element) {
    client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(element).unwrap()],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
}

/// What the page shows now, with `focus` in the middle of the screenshot.
async fn shown(client: &Client, focus: Focus, timing: Timing, pooled: bool) -> Shown {
    let charts = client.find_all(Locator::Css(CHARTS)).await.unwrap();
    let outputs = client
        .find_all(Locator::Css(".jp-OutputArea-output"))
        .await
        .unwrap();
    let mut page = Vec::new();
    for output in &outputs {
        page.push(output.text().await.unwrap_or_default());
    }
    let target = match focus {
        Focus::Chart(i) => charts.get(i),
        Focus::Output(text) => page
            .iter()
            .position(|t| t.contains(text))
            .map(|i| &outputs[i]),
    };
    if let Some(target) = target {
        centre(client, target).await;
    }
    Shown {
        page: page.join("\n"),
        errors: texts(client, ERRORS).await,
        tables: client
            .find_all(Locator::Css(".jp-OutputArea-output table"))
            .await
            .unwrap()
            .len(),
        charts: charts.len(),
        screenshot: client.screenshot().await.unwrap(),
        timing,
        pooled,
        numbers: texts(client, ".jp-CodeCell .jp-InputPrompt")
            .await
            .iter()
            .map(|p| p.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok())
            .collect(),
    }
}

/// Shuts the lab's kernels down and ends the browser session.
async fn close(client: Client, lab: &common::Lab) {
    let stopped = client
        .execute_async(
            "const [token, done] = arguments;
             fetch('/api/kernels?token=' + token)
               .then(r => r.json())
               .then(ks => Promise.all(ks.map(k =>
                 fetch('/api/kernels/' + k.id + '?token=' + token, {method: 'DELETE'}))))
               .then(rs => done(rs.every(r => r.ok)), e => done(String(e)));",
            vec![lab.token.clone().into()],
        )
        .await
        .unwrap();
    assert_eq!(
        stopped,
        serde_json::Value::Bool(true),
        "shutting the kernels down"
    );
    client.close().await.unwrap();
}

/// Runs `lesson` from top to bottom and returns what it shows.
async fn run_lesson(driver: u16, lab: &common::Lab, lesson: &str, focus: Focus) -> Shown {
    let before = handed(lab, lesson);
    let (client, _profile, timing) = open_and_run_all(driver, lab, lesson).await;
    let pooled = handed(lab, lesson) > before;
    let seen = shown(&client, focus, timing, pooled).await;
    close(client, lab).await;
    seen
}

/// A learner's slip in lesson 1's first exercise: the SSE answered with the mean. Replaces the
/// answer cell's code in its editor, runs it and the check after it from the Run menu, and
/// returns what the check shows.
async fn answer_wrongly(driver: u16, lab: &common::Lab) -> Shown {
    let before = handed(lab, "01-loss.ipynb");
    let (client, _profile, timing) = open_and_run_all(driver, lab, "01-loss.ipynb").await;
    let pooled = handed(lab, "01-loss.ipynb") > before;
    client
        .execute(
            "const cell = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
               .find(c => c.querySelector('.cm-content').textContent.includes('fn my_sse'));
             const view = cell.querySelector('.cm-content').cmView.view;
             view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: arguments[0]}});
             cell.querySelector('.jp-InputPrompt').id = 'wrong-answer-prompt';",
            vec!["fn my_sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 {\n    (y - y_hat).mapv(|e| e * e).mean().unwrap()\n}\nmy_sse(&y, &y_hat)".into()],
        )
        .await
        .expect("lesson 1 has the SSE answer cell");
    let prompt = client
        .find(Locator::Id("wrong-answer-prompt"))
        .await
        .unwrap();
    centre(&client, &prompt).await;
    prompt.click().await.unwrap();
    menu(&client, "Run", "runmenu:run").await;
    menu(&client, "Run", "runmenu:run").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    wait_until_run(&client, "01-loss.ipynb").await;
    let seen = shown(&client, Focus::Output("✗"), timing, pooled).await;
    close(client, lab).await;
    seen
}

/// Every lesson file's bytes, to prove the test changed none.
fn lesson_files() -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("notebooks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread")]
async fn key_lessons_run_in_jupyterlab_in_chromium_with_checks_tables_and_charts_shown() {
    ensure_chromium();
    common::setup();
    let before = lesson_files();
    let checkpoints = root().join("notebooks").join(".ipynb_checkpoints");
    let had_checkpoints = checkpoints.exists();
    // JupyterLab's user settings and workspaces for this test alone: autosave off, so running
    // the lessons in the browser writes nothing back into them.
    let jupyter = tempfile::tempdir().unwrap();
    let settings = jupyter.path().join("settings");
    let plugin = settings.join("@jupyterlab").join("docmanager-extension");
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::write(
        plugin.join("plugin.jupyterlab-settings"),
        r#"{ "autosave": false }"#,
    )
    .unwrap();
    let workspaces = jupyter.path().join("workspaces");
    // The lab keeps a warm kernel for each way the lessons load the course crate, and (here)
    // does not warm another after handing one over: the first lessons opened with and without
    // polars get warm kernels, the later ones fresh kernels, and the test reports both.
    let lab = start_lab(
        &[
            ("JUPYTERLAB_SETTINGS_DIR", &settings),
            ("JUPYTERLAB_WORKSPACES_DIR", &workspaces),
        ],
        &["--PooledKernelManager.refill_delay=86400"],
    );
    wait_for_pool(&lab);
    let driver = free_port();
    let _driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={driver}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts"),
    );
    let shots = root().join("target").join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    // Lesson 4 in full: the checks, the data as tables, the charts, the published accuracy.
    let four = run_lesson(driver, &lab, "04-admissions.ipynb", Focus::Chart(1)).await;
    std::fs::write(shots.join("04-admissions.png"), &four.screenshot).unwrap();
    assert!(
        four.errors.is_empty(),
        "error output in lesson 4: {:?}",
        four.errors
    );
    assert_eq!(
        four.page.matches('✓').count(),
        10,
        "lesson 4 has ten checks (its hidden tests among them), all ✓:\n{}",
        four.page
    );
    assert!(!four.page.contains('✗'), "a check failed:\n{}", four.page);
    assert!(
        four.page.contains("Train loss:  0.26276093849966364"),
        "{}",
        four.page
    );
    assert!(
        four.page.contains("Prediction accuracy: 0.725"),
        "{}",
        four.page
    );
    assert!(
        four.tables >= 2,
        "the admissions data and the prepared data are drawn as tables; found {}",
        four.tables
    );
    assert_eq!(
        four.charts, 2,
        "the scatter chart and the loss curve are drawn"
    );

    let mut opened = vec![("04-admissions.ipynb", four.timing, four.pooled)];
    let mut numbers = vec![("04-admissions.ipynb", four.numbers.clone())];

    // Other key lessons, for the README: they run clean and draw what they should.
    for (lesson, focus, charts) in [
        ("01-loss.ipynb", Focus::Output("w after 20 steps"), 1),
        ("02-gradient-descent.ipynb", Focus::Chart(2), 5),
        ("06-backpropagation.ipynb", Focus::Chart(1), 2),
    ] {
        let shown = run_lesson(driver, &lab, lesson, focus).await;
        let name = lesson.trim_end_matches(".ipynb");
        std::fs::write(shots.join(format!("{name}.png")), &shown.screenshot).unwrap();
        assert!(
            shown.errors.is_empty(),
            "error output in {lesson}: {:?}",
            shown.errors
        );
        assert!(
            shown.page.contains('✓') && !shown.page.contains('✗'),
            "{lesson}:\n{}",
            shown.page
        );
        assert!(
            shown.charts >= charts,
            "{lesson} draws {charts} charts; found {}",
            shown.charts
        );
        opened.push((lesson, shown.timing, shown.pooled));
        numbers.push((lesson, shown.numbers));
    }

    // A wrong answer: the check says what it expected, what it got, and the hint.
    let wrong = answer_wrongly(driver, &lab).await;
    std::fs::write(shots.join("01-loss-wrong-answer.png"), &wrong.screenshot).unwrap();
    let failed = wrong
        .page
        .split('\n')
        .filter(|l| l.contains('✗'))
        .collect::<Vec<_>>();
    assert_eq!(failed.len(), 1, "one check fails:\n{}", wrong.page);
    for shown in ["SSE", "4.75", "1.1875", "square each error"] {
        assert!(
            wrong.page.contains(shown),
            "the failed check shows {shown}:\n{}",
            wrong.page
        );
    }
    assert!(
        !wrong.page.contains("stack backtrace"),
        "the course kernel keeps the backtrace out:\n{}",
        wrong.page
    );

    opened.push(("01-loss.ipynb (again)", wrong.timing, wrong.pooled));

    // The first lesson with polars and the first without got the pool's warm kernels; the
    // pool warmed no more, so the later lessons started fresh ones.
    for (lesson, timing, pooled) in &opened {
        let kernel = if *pooled {
            "warm kernel from the pool"
        } else {
            "fresh kernel"
        };
        eprintln!(
            "{lesson}: first result {:.2} s after its first code cell showed, \
             {:.2} s after JupyterLab's blank cell ({kernel})",
            timing.first_result,
            timing.first_result + timing.blank_before
        );
    }
    let pooled: Vec<bool> = opened.iter().map(|(_, _, pooled)| *pooled).collect();
    assert_eq!(
        pooled,
        [true, true, false, false, false],
        "which lessons got warm kernels: {opened:?}\n{:#?}",
        lab.log_lines("[backprop pool]")
    );
    // A warm kernel numbers the learner's cells as a fresh one does, though the pool ran
    // cells in it first: run from the top, every lesson counts up from the same number.
    let first = numbers[0].1.first().copied().flatten();
    assert!(first.is_some(), "lesson 4's first cell shows no number");
    for (lesson, numbers) in &numbers {
        let counted: Vec<Option<u32>> = (0..numbers.len())
            .map(|i| first.map(|f| f + i as u32))
            .collect();
        assert_eq!(
            numbers, &counted,
            "{lesson}'s cells are numbered as on a fresh kernel"
        );
    }

    assert!(
        lesson_files() == before,
        "running the lessons in the browser changed a notebook in notebooks/"
    );
    // JupyterLab keeps checkpoints of the notebooks it opens; leave none behind.
    if !had_checkpoints {
        let _ = std::fs::remove_dir_all(&checkpoints);
    }
}
