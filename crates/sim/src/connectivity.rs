//! Structural connectivity between brain regions, and The Virtual Brain's zip format.
//!
//! A [`Connectivity`] holds, for `n` regions: labels, the weight matrix, tract lengths (mm) and
//! centres (mm), plus optional areas (mm²), average orientations (unit vectors), a cortical flag
//! and a hemisphere flag (`true` = right), exactly the fields of TVB's `Connectivity`.
//!
//! **Convention** (TVB's, see `tvb.simulator.coupling`): `weight(i, j)` is the connection *from
//! region j to region i*: rows are targets, columns are sources, and the afferent input of node
//! `i` is `Σ_j weight(i, j) · x_j`. (This is the transpose of the Brain Connectivity Toolbox's
//! convention.)
//!
//! # TVB zip format
//! [`Connectivity::from_tvb_zip`] reads the archives of tvb-data (e.g. `connectivity_76.zip`)
//! the way tvb-library's `ZipReader` does: a member is found by *substring* of its name (first
//! match in archive order, skipping `__MACOSX/` entries and directories), so `weights`,
//! `tract_lengths`, `centres` (or `centers`), `areas`, `average_orientations`, `cortical` and
//! `hemispheres` match e.g. `connectivity_192/weights.txt` or `weights.txt.bz2`. Members are
//! whitespace-separated text tables (`#` starts a comment, blank lines are skipped) like numpy's
//! `loadtxt`; `.bz2` members are decompressed first. `centres` has one row per region:
//! `label x y z`. `cortical` and `hemispheres` hold `0`/`1` (or `True`/`False`). When the archive
//! has no `hemispheres` member, hemispheres are derived from the labels when all start (or all
//! end) with `r`/`l` (case-insensitive), as TVB does. Errors name the archive, the member, the
//! line and column, and what was expected.
//!
//! ```
//! use eimfs_sim::connectivity::Connectivity;
//! let c = Connectivity::new(
//!     vec!["lA".into(), "rA".into()],
//!     vec![0.0, 2.0, 1.0, 0.0],      // from rA to lA = 2, from lA to rA = 1
//!     vec![0.0, 80.0, 80.0, 0.0],
//!     vec![[-40.0, 0.0, 0.0], [40.0, 0.0, 0.0]],
//! )?;
//! assert_eq!(c.weight(0, 1), 2.0);
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("two.zip");
//! c.write_tvb_zip(&path)?;
//! let back = Connectivity::from_tvb_zip(&path)?;
//! assert_eq!(back, c.clone().with_hemispheres(vec![false, true])?);
//! # Ok::<(), eimfs_sim::Error>(())
//! ```

use crate::{Error, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Structural connectivity of `n` regions (see the module docs for the conventions).
#[derive(Clone, Debug, PartialEq)]
pub struct Connectivity {
    labels: Vec<String>,
    weights: Vec<f64>,
    tract_lengths: Vec<f64>,
    centres: Vec<[f64; 3]>,
    areas: Option<Vec<f64>>,
    orientations: Option<Vec<[f64; 3]>>,
    cortical: Option<Vec<bool>>,
    hemispheres: Option<Vec<bool>>,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
    Error::InvalidConnectivity { field: field.into(), message: message.into() }
}

impl Connectivity {
    /// A connectivity from labels, weights (`n × n` row-major, `weights[i * n + j]` = from j to
    /// i), tract lengths (`n × n`, mm) and centres (mm). Weights must be finite, tract lengths
    /// finite and ≥ 0, centres finite, and there must be at least one region.
    pub fn new(labels: Vec<String>, weights: Vec<f64>, tract_lengths: Vec<f64>, centres: Vec<[f64; 3]>) -> Result<Self> {
        let n = labels.len();
        if n == 0 {
            return Err(invalid("labels", "a connectivity needs at least one region"));
        }
        if weights.len() != n * n {
            return Err(invalid("weights", format!("expected {n} × {n} = {} values for {n} regions, got {}", n * n, weights.len())));
        }
        if tract_lengths.len() != n * n {
            return Err(invalid(
                "tract_lengths",
                format!("expected {n} × {n} = {} values for {n} regions, got {}", n * n, tract_lengths.len()),
            ));
        }
        if centres.len() != n {
            return Err(invalid("centres", format!("expected {n} rows (one per region), got {}", centres.len())));
        }
        for (k, &w) in weights.iter().enumerate() {
            if !w.is_finite() {
                return Err(invalid(format!("weights[{}][{}]", k / n, k % n), format!("not finite: {w}")));
            }
        }
        for (k, &t) in tract_lengths.iter().enumerate() {
            if !(t.is_finite() && t >= 0.0) {
                return Err(invalid(format!("tract_lengths[{}][{}]", k / n, k % n), format!("must be finite and ≥ 0 mm, got {t}")));
            }
        }
        for (i, c) in centres.iter().enumerate() {
            if let Some(k) = c.iter().position(|v| !v.is_finite()) {
                return Err(invalid(format!("centres[{i}][{k}]"), format!("not finite: {}", c[k])));
            }
        }
        Ok(Connectivity { labels, weights, tract_lengths, centres, areas: None, orientations: None, cortical: None, hemispheres: None })
    }

    /// Sets the region areas (mm², finite and ≥ 0).
    pub fn with_areas(mut self, areas: Vec<f64>) -> Result<Self> {
        self.check_len("areas", areas.len())?;
        if let Some(k) = areas.iter().position(|a| !(a.is_finite() && *a >= 0.0)) {
            return Err(invalid(format!("areas[{k}]"), format!("must be finite and ≥ 0, got {}", areas[k])));
        }
        self.areas = Some(areas);
        Ok(self)
    }
    /// Sets the average orientations (finite 3-vectors; TVB uses zeros for unknown).
    pub fn with_orientations(mut self, o: Vec<[f64; 3]>) -> Result<Self> {
        self.check_len("orientations", o.len())?;
        for (i, v) in o.iter().enumerate() {
            if let Some(k) = v.iter().position(|x| !x.is_finite()) {
                return Err(invalid(format!("orientations[{i}][{k}]"), format!("not finite: {}", v[k])));
            }
        }
        self.orientations = Some(o);
        Ok(self)
    }
    /// Sets the cortical flags.
    pub fn with_cortical(mut self, c: Vec<bool>) -> Result<Self> {
        self.check_len("cortical", c.len())?;
        self.cortical = Some(c);
        Ok(self)
    }
    /// Sets the hemisphere flags (`true` = right hemisphere).
    pub fn with_hemispheres(mut self, h: Vec<bool>) -> Result<Self> {
        self.check_len("hemispheres", h.len())?;
        self.hemispheres = Some(h);
        Ok(self)
    }

    fn check_len(&self, field: &str, len: usize) -> Result<()> {
        if len != self.n_regions() {
            return Err(invalid(field, format!("expected {} values (one per region), got {len}", self.n_regions())));
        }
        Ok(())
    }

    /// Number of regions.
    pub fn n_regions(&self) -> usize {
        self.labels.len()
    }
    /// Region labels.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
    /// Weight of the connection from region `j` to region `i`.
    #[inline]
    pub fn weight(&self, i: usize, j: usize) -> f64 {
        self.weights[i * self.n_regions() + j]
    }
    /// Tract length (mm) of the connection between `j` and `i` (`[i][j]` entry).
    #[inline]
    pub fn tract_length(&self, i: usize, j: usize) -> f64 {
        self.tract_lengths[i * self.n_regions() + j]
    }
    /// The weight matrix, row-major (`[i * n + j]` = from j to i).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
    /// The tract length matrix (mm), row-major.
    pub fn tract_lengths(&self) -> &[f64] {
        &self.tract_lengths
    }
    /// Region centres (mm).
    pub fn centres(&self) -> &[[f64; 3]] {
        &self.centres
    }
    /// Region areas (mm²), if known.
    pub fn areas(&self) -> Option<&[f64]> {
        self.areas.as_deref()
    }
    /// Average orientations, if known.
    pub fn orientations(&self) -> Option<&[[f64; 3]]> {
        self.orientations.as_deref()
    }
    /// Cortical flags, if known.
    pub fn cortical(&self) -> Option<&[bool]> {
        self.cortical.as_deref()
    }
    /// Hemisphere flags (`true` = right), if known.
    pub fn hemispheres(&self) -> Option<&[bool]> {
        self.hemispheres.as_deref()
    }
    /// Number of non-zero weights.
    pub fn n_connections(&self) -> usize {
        self.weights.iter().filter(|w| **w != 0.0).count()
    }
    /// Scales all weights so that the largest absolute weight is 1 (TVB `scaled_weights('tract')`
    /// with `mode="tract"`). A connectivity without non-zero weights is left unchanged.
    pub fn normalise_weights_max(&mut self) {
        let m = self.weights.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        if m > 0.0 {
            self.weights.iter_mut().for_each(|w| *w /= m);
        }
    }

    /// Hemispheres derived from labels as TVB's `try_compute_hemispheres` does: all labels
    /// starting with `r`/`l` (case-insensitive) → right/left; else all ending with `r`/`l`; else
    /// `None`.
    pub fn hemispheres_from_labels(labels: &[String]) -> Option<Vec<bool>> {
        let by = |f: fn(&str) -> Option<char>| -> Option<Vec<bool>> {
            labels
                .iter()
                .map(|l| match f(l).map(|c| c.to_ascii_lowercase()) {
                    Some('r') => Some(true),
                    Some('l') => Some(false),
                    _ => None,
                })
                .collect()
        };
        if labels.is_empty() {
            return None;
        }
        by(|s| s.chars().next()).or_else(|| by(|s| s.chars().last()))
    }

    /// Reads a connectivity in The Virtual Brain's zip format (see the module docs).
    pub fn from_tvb_zip(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| Error::Zip { path: path.to_path_buf(), message: format!("not a readable zip archive: {e}") })?;
        let mut members: Vec<(usize, String)> = Vec::new();
        for i in 0..zip.len() {
            let f = zip.by_index_raw(i).map_err(|e| Error::Zip { path: path.to_path_buf(), message: format!("entry {i}: {e}") })?;
            let name = f.name().map_err(|e| Error::Zip { path: path.to_path_buf(), message: format!("entry {i}: bad name: {e}") })?;
            members.push((i, name.into_owned()));
        }
        let find = |key: &str| -> Option<(usize, String)> {
            members.iter().find(|(_, n)| n.contains(key) && !n.starts_with("__MACOSX") && !n.ends_with('/')).cloned()
        };
        let available = || members.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(", ");
        let mut read = |entry: &(usize, String)| -> Result<Table> {
            let mut f = zip.by_index(entry.0).map_err(|e| Error::Zip { path: path.to_path_buf(), message: format!("{}: {e}", entry.1) })?;
            let mut raw = Vec::new();
            f.read_to_end(&mut raw)
                .map_err(|e| Error::Zip { path: path.to_path_buf(), message: format!("{}: cannot decompress: {e}", entry.1) })?;
            let name = &entry.1;
            let bytes = if name.ends_with(".bz2") {
                let mut out = Vec::new();
                bzip2::read::BzDecoder::new(&raw[..])
                    .read_to_end(&mut out)
                    .map_err(|e| Error::Zip { path: path.to_path_buf(), message: format!("{name}: not valid bzip2 data: {e}") })?;
                out
            } else if name.ends_with(".txt") || !name.contains('.') {
                raw
            } else {
                return Err(Error::Zip {
                    path: path.to_path_buf(),
                    message: format!(
                        "{name}: unsupported member format (expected a .txt or .txt.bz2 text table; convert .npy/.mat members to text)"
                    ),
                });
            };
            let text = String::from_utf8(bytes).map_err(|e| Error::Zip {
                path: path.to_path_buf(),
                message: format!("{name}: not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
            })?;
            Ok(Table::parse(&text, path, name))
        };
        let require = |key: &str| -> Result<(usize, String)> {
            find(key).ok_or_else(|| Error::ZipMemberMissing { path: path.to_path_buf(), member: key.into(), available: available() })
        };

        let w_entry = require("weights")?;
        let weights_t = read(&w_entry)?;
        let n = weights_t.rows.len();
        if n == 0 {
            return Err(Error::Shape {
                path: path.to_path_buf(),
                member: w_entry.1.clone(),
                message: "no rows: expected an n × n matrix".into(),
            });
        }
        let weights = weights_t.matrix_f64(n, n)?;

        let c_entry = match find("centres") {
            Some(e) => e,
            None => require("centers")?,
        };
        let centres_t = read(&c_entry)?;
        centres_t.check_rows(n, "one row per region (as many as the weights' rows)")?;
        let mut labels = Vec::with_capacity(n);
        let mut centres = Vec::with_capacity(n);
        for row in &centres_t.rows {
            if row.tokens.len() < 4 {
                return Err(centres_t.shape_err(format!(
                    "line {}: expected 4 columns `label x y z`, found {}",
                    row.line,
                    row.tokens.len()
                )));
            }
            labels.push(row.tokens[0].1.clone());
            let mut c = [0.0; 3];
            for (k, ck) in c.iter_mut().enumerate() {
                *ck = centres_t.f64_at(row, k + 1)?;
            }
            centres.push(c);
        }

        let t_entry = require("tract_lengths")?;
        let tract_t = read(&t_entry)?;
        let tract_lengths = tract_t.matrix_f64(n, n)?;

        let mut conn = Connectivity::new(labels, weights, tract_lengths, centres).map_err(|e| match e {
            Error::InvalidConnectivity { field, message } => {
                Error::Zip { path: path.to_path_buf(), message: format!("{field}: {message}") }
            }
            e => e,
        })?;
        let zerr = |e: Error| match e {
            Error::InvalidConnectivity { field, message } => {
                Error::Zip { path: path.to_path_buf(), message: format!("{field}: {message}") }
            }
            e => e,
        };
        if let Some(e) = find("areas") {
            let t = read(&e)?;
            conn = conn.with_areas(t.vector_f64(n)?).map_err(zerr)?;
        }
        if let Some(e) = find("average_orientations") {
            let t = read(&e)?;
            let m = t.matrix_f64(n, 3)?;
            conn = conn.with_orientations(m.chunks(3).map(|c| [c[0], c[1], c[2]]).collect()).map_err(zerr)?;
        }
        if let Some(e) = find("cortical") {
            let t = read(&e)?;
            conn = conn.with_cortical(t.vector_bool(n)?).map_err(zerr)?;
        }
        if let Some(e) = find("hemispheres") {
            let t = read(&e)?;
            conn = conn.with_hemispheres(t.vector_bool(n)?).map_err(zerr)?;
        } else if let Some(h) = Self::hemispheres_from_labels(&conn.labels) {
            conn.hemispheres = Some(h);
        }
        Ok(conn)
    }

    /// Writes the connectivity as a TVB zip archive (`weights.txt`, `tract_lengths.txt`,
    /// `centres.txt`, and `areas.txt`, `average_orientations.txt`, `cortical.txt`,
    /// `hemispheres.txt` when set), readable by [`from_tvb_zip`](Self::from_tvb_zip) and by
    /// TVB's `Connectivity.from_file`. Numbers are written in Rust's shortest round-trip form, so
    /// reading back gives identical values. The archive is written to a temporary name beside
    /// `path` and renamed when complete. Labels must not contain whitespace.
    pub fn write_tvb_zip(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        for (i, l) in self.labels.iter().enumerate() {
            if l.is_empty() || l.chars().any(char::is_whitespace) {
                return Err(invalid(format!("labels[{i}]"), format!("`{l}`: TVB's centres.txt needs non-empty labels without whitespace")));
            }
        }
        let n = self.n_regions();
        let matrix = |m: &[f64], cols: usize| -> String {
            let mut s = String::new();
            for row in m.chunks(cols) {
                let line: Vec<String> = row.iter().map(|v| format!("{v:e}")).collect();
                s.push_str(&line.join(" "));
                s.push('\n');
            }
            s
        };
        let mut members: Vec<(&str, String)> = vec![
            ("weights.txt", matrix(&self.weights, n)),
            ("tract_lengths.txt", matrix(&self.tract_lengths, n)),
            (
                "centres.txt",
                self.labels.iter().zip(&self.centres).map(|(l, c)| format!("{l} {:e} {:e} {:e}\n", c[0], c[1], c[2])).collect(),
            ),
        ];
        if let Some(a) = &self.areas {
            members.push(("areas.txt", matrix(a, 1)));
        }
        if let Some(o) = &self.orientations {
            let flat: Vec<f64> = o.iter().flatten().copied().collect();
            members.push(("average_orientations.txt", matrix(&flat, 3)));
        }
        let bools = |b: &[bool]| b.iter().map(|&x| if x { "1\n" } else { "0\n" }).collect::<String>();
        if let Some(c) = &self.cortical {
            members.push(("cortical.txt", bools(c)));
        }
        if let Some(h) = &self.hemispheres {
            members.push(("hemispheres.txt", bools(h)));
        }
        let tmp = temp_name(path);
        let io = |e: std::io::Error| Error::Io { path: tmp.clone(), source: e };
        let result = (|| -> Result<()> {
            let file = std::fs::File::create(&tmp).map_err(io)?;
            let mut zw = zip::ZipWriter::new(std::io::BufWriter::new(file));
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            for (name, text) in &members {
                zw.start_file(*name, opts).map_err(|e| Error::Zip { path: tmp.clone(), message: format!("{name}: {e}") })?;
                zw.write_all(text.as_bytes()).map_err(io)?;
            }
            let w = zw.finish().map_err(|e| Error::Zip { path: tmp.clone(), message: e.to_string() })?;
            w.into_inner().map_err(|e| io(e.into_error()))?.sync_all().map_err(io)?;
            std::fs::rename(&tmp, path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp{}", std::process::id()))
}

/// A parsed whitespace-separated text table with token positions.
struct Table {
    path: PathBuf,
    member: String,
    rows: Vec<Row>,
}

struct Row {
    line: usize,
    /// (1-based column in characters, token)
    tokens: Vec<(usize, String)>,
}

impl Table {
    fn parse(text: &str, path: &Path, member: &str) -> Table {
        let mut rows = Vec::new();
        for (ln, line) in text.lines().enumerate() {
            let content = line.split('#').next().unwrap_or("");
            let mut tokens = Vec::new();
            let mut start: Option<usize> = None;
            let mut col = 0usize;
            let mut tok_col = 0usize;
            for (byte, ch) in content.char_indices() {
                col += 1;
                if ch.is_whitespace() {
                    if let Some(s) = start.take() {
                        tokens.push((tok_col, content[s..byte].to_owned()));
                    }
                } else if start.is_none() {
                    start = Some(byte);
                    tok_col = col;
                }
            }
            if let Some(s) = start {
                tokens.push((tok_col, content[s..].to_owned()));
            }
            if !tokens.is_empty() {
                rows.push(Row { line: ln + 1, tokens });
            }
        }
        Table { path: path.to_path_buf(), member: member.to_owned(), rows }
    }

    fn shape_err(&self, message: String) -> Error {
        Error::Shape { path: self.path.clone(), member: self.member.clone(), message }
    }

    fn check_rows(&self, n: usize, what: &str) -> Result<()> {
        if self.rows.len() != n {
            return Err(self.shape_err(format!("expected {n} rows ({what}), found {}", self.rows.len())));
        }
        Ok(())
    }

    fn parse_err(&self, row: &Row, k: usize, expected: &str) -> Error {
        let (column, found) = row.tokens[k].clone();
        Error::Parse { path: self.path.clone(), member: self.member.clone(), line: row.line, column, expected: expected.into(), found }
    }

    fn f64_at(&self, row: &Row, k: usize) -> Result<f64> {
        let t = &row.tokens[k].1;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.parse_err(row, k, "a finite number")),
        }
    }

    fn matrix_f64(&self, rows: usize, cols: usize) -> Result<Vec<f64>> {
        self.check_rows(rows, &format!("a {rows} × {cols} matrix"))?;
        let mut out = Vec::with_capacity(rows * cols);
        for row in &self.rows {
            if row.tokens.len() != cols {
                return Err(self.shape_err(format!("line {}: expected {cols} columns, found {}", row.line, row.tokens.len())));
            }
            for k in 0..cols {
                out.push(self.f64_at(row, k)?);
            }
        }
        Ok(out)
    }

    /// A vector of n values: one per row, or all on one row.
    fn vector_tokens(&self, n: usize) -> Result<Vec<(&Row, usize)>> {
        if self.rows.len() == 1 && n != 1 {
            let row = &self.rows[0];
            if row.tokens.len() != n {
                return Err(self.shape_err(format!("line {}: expected {n} values (one per region), found {}", row.line, row.tokens.len())));
            }
            return Ok((0..n).map(|k| (row, k)).collect());
        }
        self.check_rows(n, "one value per region")?;
        for row in &self.rows {
            if row.tokens.len() != 1 {
                return Err(self.shape_err(format!("line {}: expected 1 value, found {}", row.line, row.tokens.len())));
            }
        }
        Ok(self.rows.iter().map(|r| (r, 0)).collect())
    }

    fn vector_f64(&self, n: usize) -> Result<Vec<f64>> {
        self.vector_tokens(n)?.into_iter().map(|(r, k)| self.f64_at(r, k)).collect()
    }

    fn vector_bool(&self, n: usize) -> Result<Vec<bool>> {
        self.vector_tokens(n)?
            .into_iter()
            .map(|(r, k)| {
                let t = r.tokens[k].1.to_ascii_lowercase();
                match t.as_str() {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => {
                        let v = t.parse::<f64>().ok();
                        if v == Some(0.0) {
                            Ok(false)
                        } else if v == Some(1.0) {
                            Ok(true)
                        } else {
                            Err(self.parse_err(r, k, "0 or 1 (or True/False)"))
                        }
                    }
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a zip with the given (name, content) members; `.bz2` names are bzip2-compressed.
    fn zip_with(dir: &Path, members: &[(&str, &str)]) -> PathBuf {
        let path = dir.join("c.zip");
        let mut zw = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        for (name, text) in members {
            zw.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            if name.ends_with(".bz2") {
                let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
                enc.write_all(text.as_bytes()).unwrap();
                zw.write_all(&enc.finish().unwrap()).unwrap();
            } else {
                zw.write_all(text.as_bytes()).unwrap();
            }
        }
        zw.finish().unwrap();
        path
    }

    const W: &str = "0 1.5 0\n2 0 0\n0 0.25 0\n";
    const T: &str = "0 10 20\n10 0 30\n20 30 0\n";
    const C: &str = "lA 1 2 3\nlB -1 0.5 2\nlC 0 0 0\n";

    fn err_text(r: Result<Connectivity>) -> String {
        match r {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn reads_tvb_layouts_and_name_variants() {
        let dir = tempfile::tempdir().unwrap();
        // folder prefix, `centers` spelling, bz2 member, comment and blank line, macOS junk first
        let p = zip_with(
            dir.path(),
            &[
                ("__MACOSX/net/._weights.txt", "junk"),
                ("net/weights.txt", W),
                ("net/tract_lengths.txt.bz2", T),
                ("net/centers.txt", "# label x y z\nlA 1 2 3\n\nlB -1 0.5 2\nlC 0 0 0\n"),
                ("net/cortical.txt", "1\n1\n0\n"),
                ("net/areas.txt", "10 20 30\n"),
            ],
        );
        let c = Connectivity::from_tvb_zip(&p).unwrap();
        assert_eq!(c.labels(), ["lA", "lB", "lC"]);
        assert_eq!(c.weight(0, 1), 1.5, "row = target, column = source");
        assert_eq!(c.weight(1, 0), 2.0);
        assert_eq!(c.tract_length(2, 1), 30.0);
        assert_eq!(c.centres()[1], [-1.0, 0.5, 2.0]);
        assert_eq!(c.cortical().unwrap(), [true, true, false]);
        assert_eq!(c.areas().unwrap(), [10.0, 20.0, 30.0]);
        assert_eq!(c.hemispheres().unwrap(), [false, false, false], "from the `l` prefixes");
        assert!(c.orientations().is_none());
        assert_eq!(c.n_connections(), 3);
    }

    #[test]
    fn hemispheres_from_labels_like_tvb() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Connectivity::hemispheres_from_labels(&l(&["rA1", "Lx"])), Some(vec![true, false]));
        assert_eq!(Connectivity::hemispheres_from_labels(&l(&["A1_R", "B_l"])), Some(vec![true, false]));
        assert_eq!(Connectivity::hemispheres_from_labels(&l(&["rA1", "Bx"])), None);
    }

    #[test]
    fn errors_name_archive_member_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = zip_with(dir.path(), &[("weights.txt", W), ("centres.txt", C)]);
        let e = err_text(Connectivity::from_tvb_zip(&p));
        assert!(e.contains("c.zip") && e.contains("`tract_lengths`") && e.contains("weights.txt, centres.txt"), "{e}");

        let p = zip_with(dir.path(), &[("weights.txt", "0 1 0\n2 x 0\n0 0 0\n"), ("centres.txt", C), ("tract_lengths.txt", T)]);
        let e = err_text(Connectivity::from_tvb_zip(&p));
        assert!(e.contains("weights.txt: line 2, column 3: expected a finite number, found `x`"), "{e}");

        let p = zip_with(dir.path(), &[("weights.txt", W), ("centres.txt", C), ("tract_lengths.txt", "0 10 20\n10 0\n20 30 0\n")]);
        let e = err_text(Connectivity::from_tvb_zip(&p));
        assert!(e.contains("tract_lengths.txt: line 2: expected 3 columns, found 2"), "{e}");

        let p = zip_with(dir.path(), &[("weights.txt", W), ("centres.txt", "lA 1 2 3\nlB 1 2 3\n"), ("tract_lengths.txt", T)]);
        let e = err_text(Connectivity::from_tvb_zip(&p));
        assert!(e.contains("centres.txt: expected 3 rows"), "{e}");

        let p = zip_with(dir.path(), &[("weights.txt", W), ("centres.txt", C), ("tract_lengths.txt", "0 10 20\n10 0 -30\n20 30 0\n")]);
        let e = err_text(Connectivity::from_tvb_zip(&p));
        assert!(e.contains("tract_lengths[1][2]: must be finite and ≥ 0 mm, got -30"), "{e}");

        let p = zip_with(dir.path(), &[("weights.txt", W), ("centres.txt", C), ("tract_lengths.txt", T), ("cortical.txt", "1\n2\n0\n")]);
        let e = err_text(Connectivity::from_tvb_zip(&p));
        assert!(e.contains("cortical.txt: line 2, column 1: expected 0 or 1 (or True/False), found `2`"), "{e}");

        let p = zip_with(dir.path(), &[("weights.npy", "x"), ("centres.txt", C), ("tract_lengths.txt", T)]);
        let e = err_text(Connectivity::from_tvb_zip(&p));
        assert!(e.contains("weights.npy: unsupported member format"), "{e}");

        std::fs::write(dir.path().join("bad.zip"), b"not a zip").unwrap();
        let e = err_text(Connectivity::from_tvb_zip(dir.path().join("bad.zip")));
        assert!(e.contains("bad.zip: not a readable zip archive"), "{e}");
        let e = err_text(Connectivity::from_tvb_zip(dir.path().join("missing.zip")));
        assert!(e.contains("missing.zip"), "{e}");
    }

    #[test]
    fn validation_names_fields() {
        let e = err_text(Connectivity::new(vec!["a".into()], vec![0.0, 1.0], vec![0.0], vec![[0.0; 3]]));
        assert_eq!(e, "invalid connectivity: weights: expected 1 × 1 = 1 values for 1 regions, got 2");
        let e = err_text(Connectivity::new(vec!["a".into(), "b".into()], vec![0.0, f64::NAN, 0.0, 0.0], vec![0.0; 4], vec![[0.0; 3]; 2]));
        assert!(e.contains("weights[0][1]: not finite"), "{e}");
        let c = Connectivity::new(vec!["a".into()], vec![0.0], vec![0.0], vec![[0.0; 3]]).unwrap();
        assert!(err_text(c.clone().with_areas(vec![1.0, 2.0])).contains("areas: expected 1 values"));
        assert!(err_text(c.with_orientations(vec![[0.0, f64::INFINITY, 0.0]])).contains("orientations[0][1]"));
    }

    #[test]
    fn writes_and_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let c = Connectivity::new(
            vec!["rA".into(), "lB".into(), "rC".into()],
            vec![0.0, 0.1, 1.0 / 3.0, 2.5e-7, 0.0, 1.0, 0.0, 1e10, 0.0],
            vec![0.0, 12.345678901234567, 8.0, 12.345678901234567, 0.0, 3.0, 8.0, 3.0, 0.0],
            vec![[1.0, -2.0, 0.1], [0.0, 0.0, 0.0], [1e-3, 5.0, 7.0]],
        )
        .unwrap()
        .with_areas(vec![1.0, 2.0, 3.0])
        .unwrap()
        .with_orientations(vec![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.6, 0.8, 0.0]])
        .unwrap()
        .with_cortical(vec![true, false, true])
        .unwrap()
        .with_hemispheres(vec![true, false, true])
        .unwrap();
        let p = dir.path().join("out.zip");
        c.write_tvb_zip(&p).unwrap();
        assert_eq!(Connectivity::from_tvb_zip(&p).unwrap(), c);
        // no temporary file left behind
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let bad = Connectivity::new(vec!["a b".into()], vec![0.0], vec![0.0], vec![[0.0; 3]]).unwrap();
        assert!(err_text(bad.write_tvb_zip(dir.path().join("x.zip")).map(|_| c.clone())).contains("labels[0]"));
    }
}
