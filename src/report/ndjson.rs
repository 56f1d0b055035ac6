//! NDJSON output (`--ndjson`): one target object per line, each written and flushed the moment
//! its target finishes, so an interrupted batch leaves only whole lines behind (plus at most one
//! cut short by a kill, which `--resume` drops).

use std::io::{Seek, Write};
use std::path::Path;

use super::TargetReport;

/// Where the lines go: standard output, or a file truncated (new run) or appended to (resume).
pub struct NdjsonWriter {
    out: Box<dyn Write + Send>,
}

impl NdjsonWriter {
    /// Opens `path` (`-` = standard output). `append` continues the file of an earlier run.
    /// Errors are usage errors naming the option and file.
    pub fn open(path: &Path, append: bool) -> Result<NdjsonWriter, String> {
        if path.as_os_str() == "-" {
            if append {
                return Err("--resume needs --ndjson FILE, not standard output".into());
            }
            return Ok(NdjsonWriter {
                out: Box::new(std::io::stdout()),
            });
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(append)
            .write(true)
            .truncate(!append)
            .open(path)
            .map_err(|e| format!("--ndjson {}: {e}", path.display()))?;
        let _ = f.seek(std::io::SeekFrom::End(0));
        Ok(NdjsonWriter {
            out: Box::new(std::io::BufWriter::new(f)),
        })
    }

    /// A writer into any sink (tests).
    pub fn new(out: Box<dyn Write + Send>) -> NdjsonWriter {
        NdjsonWriter { out }
    }

    /// Writes one target as one line and flushes it.
    pub fn write(&mut self, r: &TargetReport) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(r).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.out.write_all(&line)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn one_compact_line_per_target_that_reads_back() {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let mut w = NdjsonWriter::new(Box::new(Shared(buf.clone())));
        for input in ["a.example", "b.example"] {
            w.write(&TargetReport::new(input, crate::report::Kind::MailDomain))
                .unwrap();
        }
        let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.ends_with("}\n"));
        let back = crate::report::read::parse("t.ndjson", text.as_bytes()).unwrap();
        let inputs: Vec<&str> = back.iter().map(|t| t.input.as_str()).collect();
        assert_eq!(inputs, ["a.example", "b.example"]);
    }
}
