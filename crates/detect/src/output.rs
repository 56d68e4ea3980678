//! Output files, written all or nothing: every file goes to a temporary name in the output
//! directory and is renamed into place only when all of them are complete; on any error the
//! temporary files are removed and nothing is left behind.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use eimfs_core::{Annotation, Electrode, Region};
use eimfs_edf::{EdfFile, EdfWriter, Format, SignalSpec, WriterConfig};

use crate::Detection;
use crate::error::{Error, Result};
use crate::features::{FEATURE_NAMES, NF};

/// Paths of the files written by [`write_outputs`].
#[derive(Clone, Debug, PartialEq)]
pub struct OutputPaths {
    /// `<stem>_events.tsv`.
    pub events: PathBuf,
    /// `<stem>_probability.tsv`.
    pub probability: PathBuf,
    /// `<stem>_seizures.json`.
    pub seizures: PathBuf,
    /// `<stem>_summary.json`.
    pub summary: PathBuf,
    /// The annotated copy, when asked for.
    pub annotated: Option<PathBuf>,
    /// The feature dump (`.npy` plus `.json` sidecar), when asked for.
    pub features: Option<PathBuf>,
}

/// Temporary files that are removed unless committed.
struct Staged {
    files: Vec<(PathBuf, PathBuf)>,
    committed: bool,
}

impl Staged {
    fn tmp_for(path: &Path) -> PathBuf {
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(format!(".partial{}", std::process::id()));
        path.with_file_name(name)
    }

    fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let tmp = Staged::tmp_for(path);
        self.files.push((tmp.clone(), path.to_path_buf()));
        let mut f = std::fs::File::create(&tmp).map_err(|source| Error::Io { path: tmp.clone(), source })?;
        f.write_all(bytes).map_err(|source| Error::Io { path: tmp.clone(), source })?;
        f.sync_data().ok();
        Ok(())
    }

    fn commit(mut self) -> Result<()> {
        for (tmp, dst) in &self.files {
            std::fs::rename(tmp, dst).map_err(|source| Error::Io { path: dst.clone(), source })?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            for (tmp, _) in &self.files {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }
}

/// The stem of a recording's outputs: the file name without its extension.
pub fn stem(input: &Path) -> String {
    input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "recording".into())
}

fn json_bytes(v: &serde_json::Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values serialise");
    s.push('\n');
    s.into_bytes()
}

/// Write the outputs of a detection (see the crate docs for their content), plus the annotated
/// EDF copy when `annotate` is given and the features when `features` is given.
pub fn write_outputs(
    det: &Detection,
    input: &Path,
    out_dir: &Path,
    annotate: Option<&Path>,
    features: Option<&Path>,
) -> Result<OutputPaths> {
    std::fs::create_dir_all(out_dir).map_err(|source| Error::Io { path: out_dir.to_path_buf(), source })?;
    let st = stem(input);
    let paths = OutputPaths {
        events: out_dir.join(format!("{st}_events.tsv")),
        probability: out_dir.join(format!("{st}_probability.tsv")),
        seizures: out_dir.join(format!("{st}_seizures.json")),
        summary: out_dir.join(format!("{st}_summary.json")),
        annotated: annotate.map(Path::to_path_buf),
        features: features.map(Path::to_path_buf),
    };
    if let Some(a) = annotate {
        let same = |p: &Path| -> bool {
            match (std::fs::canonicalize(p), std::fs::canonicalize(input)) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            }
        };
        if same(a) {
            return Err(Error::Config {
                field: "annotate",
                message: format!("{} is the input file; eimfs never modifies its input", a.display()),
            });
        }
    }
    let mut staged = Staged { files: Vec::new(), committed: false };
    staged.write(&paths.events, det.events().to_tsv().as_bytes())?;
    staged.write(&paths.probability, det.probability_tsv().as_bytes())?;
    staged.write(&paths.seizures, &json_bytes(&det.seizures_json()))?;
    staged.write(&paths.summary, &json_bytes(&det.summary_json()))?;
    if let Some(fp) = features {
        staged.write(
            fp,
            &npy_f32(&det.analysis.features.clone().unwrap_or_default(), &[det.analysis.n_seconds, det.analysis.derivations.len(), NF]),
        )?;
        let side = fp.with_extension("json");
        let meta = serde_json::json!({
            "shape": [det.analysis.n_seconds, det.analysis.derivations.len(), NF],
            "features": FEATURE_NAMES.to_vec(),
            "derivations": det.analysis.derivations.iter().map(|d| serde_json::json!({
                "label": d.label, "electrodes": d.electrodes, "used": d.used, "channels": d.channels,
            })).collect::<Vec<_>>(),
            "montage": det.analysis.montage,
            "duration": det.analysis.duration,
        });
        staged.write(&side, &json_bytes(&meta))?;
    }
    if let Some(a) = annotate {
        let tmp = Staged::tmp_for(a);
        staged.files.push((tmp.clone(), a.to_path_buf()));
        write_annotated(det, input, &tmp)?;
    }
    staged.commit()?;
    Ok(paths)
}

/// A `.npy` (format 1.0) file of little-endian f32 values.
pub fn npy_f32(data: &[f32], shape: &[usize]) -> Vec<u8> {
    let shape_txt = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!("({})", shape.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape_txt}, }}");
    let total = 10 + header.len() + 1;
    let pad = (64 - total % 64) % 64;
    header.push_str(&" ".repeat(pad));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len() * 4);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// The label of the file channel that records electrode `e` (its referential channel, or a
/// recorded bipolar channel it takes part in), if any.
fn channel_label(det: &Detection, e: Electrode) -> Option<String> {
    det.analysis.derivations.iter().find_map(|d| {
        let k = d.electrodes.iter().position(|x| *x == e)?;
        d.channels.get(k).or(d.channels.first()).cloned()
    })
}

fn region_label(det: &Detection, r: Region) -> Option<String> {
    r.electrodes().find_map(|e| channel_label(det, e))
}

/// The detections as EDF+ annotations (seizure spans, onset electrodes and region visits linked
/// to a channel with `@@`).
pub fn annotations(det: &Detection) -> Vec<Annotation> {
    let mut out = Vec::new();
    for s in &det.seizures {
        let region = s.onset_regions.first().map(|r| r.code()).unwrap_or("?");
        out.push(Annotation::new(
            s.onset,
            Some(s.duration()),
            format!("eimfs seizure {} (onset {region}, confidence {:.2})", s.id, s.confidence.unwrap_or(0.0)),
        ));
        for &e in &s.onset_electrodes {
            let mut a = Annotation::new(s.onset, None, format!("eimfs seizure {} onset {e}", s.id));
            a.channel = channel_label(det, e);
            out.push(a);
        }
        for v in &s.visits {
            let mut a = Annotation::new(v.start, Some(v.end - v.start), format!("eimfs seizure {} ictal {}", s.id, v.region));
            a.channel = region_label(det, v.region);
            out.push(a);
        }
    }
    out
}

/// Copy the recording losslessly (digital samples, headers, record times, annotations) to `out`
/// and add the detections as annotations.
fn write_annotated(det: &Detection, input: &Path, out: &Path) -> Result<()> {
    let src = EdfFile::open(input)?;
    let format = if src.file_type().is_bdf() { Format::Bdf } else { Format::Edf };
    let specs: Vec<SignalSpec> = src.signals().iter().map(SignalSpec::from_header).collect();
    let discontinuous = src.file_type().is_discontinuous();
    let config = WriterConfig {
        format,
        start: Some(src.start()),
        patient: src.header().patient.clone(),
        recording: src.header().recording.clone(),
        record_duration: src.record_duration(),
        signals: specs,
        discontinuous,
    };
    let mut anns = src.annotations().to_vec();
    anns.extend(annotations(det));
    let n = src.n_records();
    let mut w = EdfWriter::create(out, config, anns, Some(n))?;
    let channels: Vec<usize> = (0..src.signals().len()).collect();
    let spr: Vec<usize> = src.signals().iter().map(|s| s.samples_per_record).collect();
    let per_record: usize = spr.iter().sum::<usize>() * src.file_type().sample_bytes();
    // Blocks of at least 32 MB: the reader then releases the pages it has read, so copying a
    // multi-day file keeps memory bounded.
    let block = (32usize << 20).div_ceil(per_record.max(1)).clamp(1, n.max(1));
    let mut dig: Vec<Vec<i32>> = spr.iter().map(|&s| vec![0; s * block]).collect();
    let starts = discontinuous.then(|| src.record_starts());
    let mut r = 0;
    while r < n {
        let k = block.min(n - r);
        {
            let mut outs: Vec<&mut [i32]> = dig.iter_mut().zip(&spr).map(|(d, &s)| &mut d[..s * k]).collect();
            src.read_digital(&channels, r..r + k, &mut outs)?;
        }
        let refs: Vec<&[i32]> = dig.iter().zip(&spr).map(|(d, &s)| &d[..s * k]).collect();
        w.write_digital(&refs, starts.as_ref().map(|s| &s[r..r + k]))?;
        r += k;
    }
    w.finish()?;
    Ok(())
}
