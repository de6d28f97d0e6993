//! Reading notebooks (any nbformat 3 or 4), and writing executed copies with their outputs.

pub mod nbgrader;

use jupyter_protocol::{JupyterMessageContent, Stdio as Stream};
use nbformat::v4::{self, Cell, MultilineString, Output};
use std::path::{Path, PathBuf};

/// A notebook that could not be read, understood or written.
#[derive(Debug, thiserror::Error)]
pub enum NotebookError {
    /// The file could not be read.
    #[error("cannot read {path}: {cause}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// The file is not a notebook this tool understands.
    #[error("{path} is not a usable notebook: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The executed copy could not be written.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Reads a notebook, upgrading older formats to v4.5; the error says what is wrong and where.
pub fn load(path: &Path) -> Result<v4::Notebook, NotebookError> {
    let text = std::fs::read_to_string(path).map_err(|source| NotebookError::Read {
        path: path.to_path_buf(),
        cause: source,
    })?;
    parse(&text).map_err(|reason| NotebookError::Invalid {
        path: path.to_path_buf(),
        reason,
    })
}

/// Parses notebook JSON, upgrading older formats to v4.5; the error says what is wrong.
pub fn parse(text: &str) -> Result<v4::Notebook, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON ({e})"))?;
    if !value.is_object() || value.get("cells").is_none() && value.get("worksheets").is_none() {
        return Err("the JSON has no `cells`: it is not a Jupyter notebook".into());
    }
    let parsed = nbformat::parse_notebook(text).map_err(|e| e.to_string())?;
    match parsed {
        nbformat::Notebook::V4(nb) => Ok(nb),
        nbformat::Notebook::V4QuirksMode(quirks) => Ok(quirks.repair()),
        nbformat::Notebook::Legacy(nb) => {
            nbformat::upgrade_legacy_notebook(nb).map_err(|e| e.to_string())
        }
        nbformat::Notebook::V3(nb) => nbformat::upgrade_v3_notebook(nb).map_err(|e| e.to_string()),
        other => Err(format!("unsupported notebook format {other:?}")),
    }
}

/// Serialises a notebook the way Jupyter does (sorted keys, one-space indent).
pub fn save(nb: &v4::Notebook, path: &Path) -> Result<(), NotebookError> {
    let failed = |reason: String| NotebookError::Write {
        path: path.to_path_buf(),
        reason,
    };
    let text = nbformat::serialize_notebook(&nbformat::Notebook::V4(nb.clone()))
        .map_err(|e| failed(e.to_string()))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| failed(e.to_string()))?;
    }
    std::fs::write(path, text).map_err(|e| failed(e.to_string()))
}

/// A code cell's source as one string.
pub fn source(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Code { source, .. } => Some(source.concat()),
        _ => None,
    }
}

/// Replaces a code cell's source.
pub fn set_source(cell: &mut Cell, text: &str) {
    if let Cell::Code { source, .. } = cell {
        *source = nbgrader::split_lines(text);
    }
}

/// Replaces a code cell's outputs and execution count (its result takes the same count).
pub fn set_outputs(cell: &mut Cell, mut new_outputs: Vec<Output>, count: Option<usize>) {
    if let Cell::Code {
        outputs,
        execution_count,
        ..
    } = cell
    {
        for output in &mut new_outputs {
            if let (Output::ExecuteResult(result), Some(n)) = (output, count) {
                result.execution_count = jupyter_protocol::ExecutionCount(n);
            }
        }
        *outputs = new_outputs;
        *execution_count = count.and_then(|c| i32::try_from(c).ok());
    }
}

/// The most text one stream output keeps; the rest is cut with a note.
pub const STREAM_LIMIT: usize = 256 * 1024;

/// A note from the runner, as a stderr stream output.
pub fn note(text: &str) -> Output {
    Output::Stream {
        name: "stderr".into(),
        text: MultilineString(text.to_string()),
    }
}

/// Turns the kernel's IOPub messages into notebook outputs, merging consecutive stream text
/// and cutting any stream past [`STREAM_LIMIT`] bytes.
pub fn outputs(messages: &[JupyterMessageContent]) -> Vec<Output> {
    let mut out = merged(messages);
    for output in &mut out {
        if let Output::Stream { text, .. } = output {
            if text.0.len() > STREAM_LIMIT {
                let mut cut = STREAM_LIMIT;
                while !text.0.is_char_boundary(cut) {
                    cut -= 1;
                }
                let dropped = text.0.len() - cut;
                text.0.truncate(cut);
                text.0
                    .push_str(&format!("\n… [{dropped} more bytes of output not kept]\n"));
            }
        }
    }
    out
}

fn merged(messages: &[JupyterMessageContent]) -> Vec<Output> {
    let mut out: Vec<Output> = Vec::new();
    for message in messages {
        match message {
            JupyterMessageContent::StreamContent(s) => {
                let name = match s.name {
                    Stream::Stdout => "stdout",
                    Stream::Stderr => "stderr",
                };
                if let Some(Output::Stream { name: last, text }) = out.last_mut() {
                    if last == name {
                        text.0.push_str(&s.text);
                        continue;
                    }
                }
                out.push(Output::Stream {
                    name: name.into(),
                    text: MultilineString(s.text.clone()),
                });
            }
            JupyterMessageContent::DisplayData(d) => {
                out.push(Output::DisplayData(v4::DisplayData {
                    data: d.data.clone(),
                    metadata: d.metadata.clone(),
                }))
            }
            JupyterMessageContent::ExecuteResult(r) => {
                out.push(Output::ExecuteResult(v4::ExecuteResult {
                    execution_count: r.execution_count,
                    data: r.data.clone(),
                    metadata: r.metadata.clone(),
                }))
            }
            JupyterMessageContent::ErrorOutput(e) => out.push(Output::Error(v4::ErrorOutput {
                ename: e.ename.clone(),
                evalue: e.evalue.clone(),
                traceback: e.traceback.clone(),
            })),
            JupyterMessageContent::ClearOutput(_) => out.clear(),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::StreamContent;

    #[test]
    fn malformed_json_and_non_notebooks_are_named() {
        let bad = parse("{\"cells\": [").unwrap_err().to_string();
        assert!(bad.starts_with("invalid JSON"), "{bad}");
        let other = parse("{\"name\": \"package.json\"}")
            .unwrap_err()
            .to_string();
        assert!(other.contains("not a Jupyter notebook"), "{other}");
    }

    #[test]
    fn an_nbformat_4_4_notebook_is_upgraded() {
        let text = r#"{"cells":[{"cell_type":"code","metadata":{},"execution_count":null,
            "source":["let x = 1;"],"outputs":[]}],"metadata":{},"nbformat":4,"nbformat_minor":4}"#;
        let nb = parse(text).unwrap();
        assert_eq!(nb.nbformat_minor, 5);
        assert_eq!(source(&nb.cells[0]).as_deref(), Some("let x = 1;"));
    }

    #[test]
    fn a_flood_of_output_is_cut_with_a_note() {
        let line = "x".repeat(1000) + "\n";
        let msgs: Vec<JupyterMessageContent> = (0..1000)
            .map(|_| JupyterMessageContent::StreamContent(StreamContent::stdout(&line)))
            .collect();
        let out = outputs(&msgs);
        let Output::Stream { text, .. } = &out[0] else {
            panic!("not a stream")
        };
        assert!(text.0.len() < STREAM_LIMIT + 100);
        assert!(
            text.0
                .ends_with("… [738856 more bytes of output not kept]\n"),
            "{}",
            &text.0[text.0.len() - 60..]
        );
    }

    #[test]
    fn consecutive_stream_text_is_merged_per_stream() {
        let msgs = vec![
            JupyterMessageContent::StreamContent(StreamContent::stdout("a\n")),
            JupyterMessageContent::StreamContent(StreamContent::stdout("b\n")),
            JupyterMessageContent::StreamContent(StreamContent {
                name: Stream::Stderr,
                text: "oops\n".into(),
            }),
        ];
        let out = outputs(&msgs);
        assert_eq!(out.len(), 2);
        match &out[0] {
            Output::Stream { name, text } => {
                assert_eq!((name.as_str(), text.0.as_str()), ("stdout", "a\nb\n"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
