//! Section 5: EEG traces of an example seizure, in a bipolar montage, with the onset and each
//! change of region marked and the channels of the active regions shaded.

use crate::model::ExampleSeizure;
use crate::plots::head::path_steps;
use crate::style;
use crate::svg::{self, Anchor, Svg};

/// Figure width.
pub const WIDTH: f64 = 1200.0;
const LEFT: f64 = 74.0;
const RIGHT: f64 = 64.0;
const ROW: f64 = 25.0;
const TOP: f64 = 42.0;

/// µV per channel spacing offered on the scale bar.
const SCALES: [f64; 16] = [5.0, 10.0, 20.0, 25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 250.0, 300.0, 400.0, 500.0, 750.0, 1000.0, 2000.0];

/// Min/max decimation to about two points per pixel column: each column keeps its lowest and
/// highest sample, in the order they occur, so spikes and rhythmic discharges keep their look.
/// Returns (sample index, value) pairs.
pub fn decimate(x: &[f32], columns: usize) -> Vec<(usize, f32)> {
    let n = x.len();
    if n <= 2 * columns.max(1) {
        return x.iter().copied().enumerate().collect();
    }
    let mut out = Vec::with_capacity(2 * columns);
    for c in 0..columns {
        let a = c * n / columns;
        let b = ((c + 1) * n / columns).max(a + 1);
        let (mut imin, mut imax) = (a, a);
        for i in a..b {
            if x[i] < x[imin] {
                imin = i;
            }
            if x[i] > x[imax] {
                imax = i;
            }
        }
        if imin <= imax {
            out.push((imin, x[imin]));
            if imax != imin {
                out.push((imax, x[imax]));
            }
        } else {
            out.push((imax, x[imax]));
            out.push((imin, x[imin]));
        }
    }
    out
}

/// The µV value of one channel spacing: six times the background's standard deviation (the
/// median over channels of the SD before the onset, or of the whole page when the onset is
/// less than 3 s in), rounded up to the next of the usual
/// display scales (5, 10, 20, 25, 50, 75, 100, … 2000 µV). Background then fills about a third
/// of its row and ictal discharges, typically 3–10 times larger, stand out and may reach into
/// the neighbouring rows, as on a clinical page.
pub fn scale(ex: &ExampleSeizure) -> f64 {
    let pre = ((ex.seizure.onset - ex.start) * ex.fs).floor();
    let sds: Vec<f64> = ex
        .channels
        .iter()
        .filter(|c| !c.samples.is_empty())
        .map(|c| {
            let n = if pre >= 3.0 * ex.fs { (pre as usize).min(c.samples.len()) } else { c.samples.len() };
            let x = &c.samples[..n];
            let m = x.iter().map(|v| *v as f64).sum::<f64>() / n as f64;
            (x.iter().map(|v| (*v as f64 - m).powi(2)).sum::<f64>() / n as f64).sqrt()
        })
        .collect();
    let sd = crate::quality::median(&sds);
    if !(sd.is_finite() && sd > 0.0) {
        return 100.0;
    }
    let target = 6.0 * sd;
    SCALES.iter().copied().find(|s| *s >= target).unwrap_or(SCALES[SCALES.len() - 1])
}

/// Extra space before a channel that starts a new chain of the double banana (the rows whose
/// first electrode is Fp1/Fp2 or Fz), so that the chains read as blocks.
fn chain_gap(label: &str, i: usize) -> bool {
    i > 0 && (label.starts_with("Fp") || label.starts_with("Fz"))
}

/// Draw the traces of one example seizure.
pub fn traces(ex: &ExampleSeizure, uid: &str) -> String {
    let n_ch = ex.channels.len();
    let n_samp = ex.channels.iter().map(|c| c.samples.len()).max().unwrap_or(0);
    let dur = n_samp as f64 / ex.fs.max(1e-9);
    let pw = WIDTH - LEFT - RIGHT;
    let x_of = |t: f64| LEFT + (t - ex.start) / dur.max(1e-9) * pw;
    let mut ys = Vec::with_capacity(n_ch);
    let mut y = TOP + ROW / 2.0;
    for (i, c) in ex.channels.iter().enumerate() {
        if chain_gap(&c.label, i) {
            y += 8.0;
        }
        ys.push(y);
        y += ROW;
    }
    let bottom = y - ROW / 2.0 + 4.0;
    let mut s = Svg::new(WIDTH, bottom + 34.0);
    let clip_id = format!("clip-{}", uid.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    s.def(&format!(
        r#"<clipPath id="{clip_id}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"#,
        LEFT,
        TOP - 6.0,
        svg::num(pw, 1),
        svg::num(bottom - TOP + 8.0, 1)
    ));

    // Shading: channels of each visited region while the region is involved.
    for v in &ex.seizure.visits {
        let (a, b) = (v.start.max(ex.start), v.end.min(ex.start + dur));
        if b <= a {
            continue;
        }
        for (c, yc) in ex.channels.iter().zip(&ys) {
            if c.electrodes.iter().any(|e| e.region() == v.region) {
                s.rect(
                    x_of(a),
                    yc - ROW / 2.0,
                    x_of(b) - x_of(a),
                    ROW,
                    &format!(r#"fill="{}" fill-opacity="0.22""#, style::region_fill(v.region)),
                );
            }
        }
    }
    // One-second grid, labelled every 5 s (or 10 s for long windows).
    let label_every = if dur > 40.0 { 10.0 } else { 5.0 };
    let mut t = ex.start.ceil();
    while t <= ex.start + dur + 1e-9 {
        let x = x_of(t);
        let major = (t / label_every).round() * label_every == t;
        s.line(
            x,
            TOP - 4.0,
            x,
            bottom,
            &format!(r#"stroke="{}" stroke-width="{}""#, if major { "#ced4da" } else { style::GRID }, if major { 1.0 } else { 0.7 }),
        );
        if major {
            s.text(x, bottom + 14.0, Anchor::Middle, r#"class="tick""#, &svg::clock(t));
        }
        t += 1.0;
    }
    // Channel labels and traces.
    let uv = scale(ex);
    let k = ROW / uv;
    let cols = pw.round() as usize;
    s.group(&format!(r##"clip-path="url(#{clip_id})" stroke="#111" stroke-width="0.6" stroke-linejoin="round""##));
    for (c, yc) in ex.channels.iter().zip(&ys) {
        let pts: Vec<(f64, f64)> = decimate(&c.samples, cols)
            .into_iter()
            .map(|(i, v)| (LEFT + i as f64 / n_samp.max(1) as f64 * pw, yc - (v as f64 * k).clamp(-1.6 * ROW, 1.6 * ROW)))
            .collect();
        s.polyline(&pts, "");
    }
    s.end_group();
    for (c, yc) in ex.channels.iter().zip(&ys) {
        s.text(LEFT - 6.0, yc + 4.0, Anchor::End, r#"class="ch""#, &c.label);
    }

    // Onset, region changes and end.
    let steps = path_steps(&ex.seizure);
    let mut label_rows: Vec<f64> = Vec::new(); // right end of the last label on each of 3 rows
    let mut put_label = |s: &mut Svg, x: f64, text: &str, colour: &str| {
        let w = text.chars().count() as f64 * 6.4 + 8.0;
        let row = (0..3).find(|&r| label_rows.get(r).is_none_or(|&end| x > end + 4.0)).unwrap_or(2);
        if label_rows.len() <= row {
            label_rows.resize(row + 1, f64::NEG_INFINITY);
        }
        label_rows[row] = x + w;
        let y = 11.0 + row as f64 * 12.0;
        // Labels that would run past the right edge end at their line instead.
        if x + w > WIDTH {
            s.text(x - 3.0, y, Anchor::End, &format!(r#"class="mark" fill="{colour}""#), text);
        } else {
            s.text(x + 3.0, y, Anchor::Start, &format!(r#"class="mark" fill="{colour}""#), text);
        }
    };
    // Changes of region less than 1.5 s apart share one line and one label.
    // (first step, start, the regions and delays of the group's steps)
    type Group = (usize, f64, Vec<(eimfs_core::Region, f64)>);
    let mut groups: Vec<Group> = Vec::new();
    for (i, (reg, start, delay)) in steps.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if i > 0 && g.0 > 0 && start - g.1 < 1.5 => g.2.push((*reg, *delay)),
            _ => groups.push((i, *start, vec![(*reg, *delay)])),
        }
    }
    for (i, start, regs) in &groups {
        if *start < ex.start || *start > ex.start + dur {
            continue;
        }
        let x = x_of(*start);
        let reg = regs[0].0;
        if *i == 0 {
            s.line(x, TOP - 6.0, x, bottom, &format!(r#"stroke="{}" stroke-width="1.6""#, style::STATUS));
            put_label(&mut s, x, &format!("onset: {}", style::region_name(reg)), style::STATUS);
        } else {
            let colour = style::region_stroke(reg);
            s.line(x, TOP - 6.0, x, bottom, &format!(r#"stroke="{colour}" stroke-width="1.3" stroke-dasharray="5 3""#));
            let names: Vec<String> = regs.iter().map(|(r, _)| style::region_name(*r)).collect();
            put_label(&mut s, x, &format!("→ {} (+{} s)", names.join(", "), svg::num(regs[0].1, 0)), colour);
        }
    }
    let end = ex.seizure.offset;
    if end >= ex.start && end <= ex.start + dur {
        let x = x_of(end);
        s.line(x, TOP - 6.0, x, bottom, r##"stroke="#495057" stroke-width="1.3" stroke-dasharray="2 3""##);
        put_label(&mut s, x, "end", "#495057");
    }
    // Scale bars: one channel spacing and one second.
    let sx = WIDTH - RIGHT + 16.0;
    let sy = bottom - ROW;
    s.line(sx, sy, sx, sy + ROW, r##"stroke="#111" stroke-width="1.5""##);
    s.line(sx, sy + ROW, sx + pw / dur.max(1e-9), sy + ROW, r##"stroke="#111" stroke-width="1.5""##);
    s.text(sx + 4.0, sy - 4.0, Anchor::Start, r#"class="tick""#, &format!("{} µV", svg::num(uv, 0)));
    s.text(sx + 2.0, sy + ROW + 12.0, Anchor::Start, r#"class="tick""#, "1 s");
    s.text(LEFT + pw / 2.0, bottom + 29.0, Anchor::Middle, r#"class="lbl""#, "time from the start of the recording (h:mm:ss)");
    s.finish("fig traces", &format!("EEG of seizure {} ({}), {} montage", ex.seizure.id, ex.why, ex.montage))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TraceChannel;
    use eimfs_core::{Electrode, Hemisphere, Lobe, Region, RegionVisit, SeizureMap};

    #[test]
    fn decimation_keeps_extremes_in_order() {
        let x: Vec<f32> = (0..1000)
            .map(|i| {
                if i == 517 {
                    90.0
                } else if i == 523 {
                    -70.0
                } else {
                    (i % 7) as f32
                }
            })
            .collect();
        let d = decimate(&x, 100);
        assert!(d.len() <= 200);
        assert!(d.contains(&(517, 90.0)) && d.contains(&(523, -70.0)));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0), "indices increase");
        let short: Vec<f32> = vec![1.0, 2.0, 3.0];
        assert_eq!(decimate(&short, 100), vec![(0, 1.0), (1, 2.0), (2, 3.0)]);
    }

    #[test]
    fn traces_mark_onset_and_migration() {
        let lt = Region::new(Lobe::Temporal, Hemisphere::Left);
        let rc = Region::new(Lobe::Central, Hemisphere::Right);
        let fs = 64.0;
        let n = (30.0 * fs) as usize;
        // 10 µV background for the 10 s before the onset (SD 7.07 µV), then the discharge.
        let wave =
            |amp: f32| (0..n).map(|i| if (i as f64) < 10.0 * fs { 10.0 } else { amp } * (i as f32 * 0.5).sin()).collect::<Vec<f32>>();
        let ex = ExampleSeizure {
            why: "migrating seizure".into(),
            seizure: SeizureMap {
                id: 7,
                onset: 110.0,
                offset: 130.0,
                confidence: Some(0.8),
                onset_electrodes: vec![Electrode::T3],
                onset_regions: vec![lt],
                onset_hemisphere: Hemisphere::Left,
                visits: vec![RegionVisit { region: lt, start: 110.0, end: 125.0 }, RegionVisit { region: rc, start: 118.0, end: 130.0 }],
                hemisphere_switches: 1,
                overlaps: vec![],
                generalised: false,
            },
            start: 100.0,
            fs,
            montage: "double-banana".into(),
            filter: "0.5-35 Hz".into(),
            channels: vec![
                TraceChannel { label: "F7-T3".into(), electrodes: vec![Electrode::F7, Electrode::T3], samples: wave(80.0) },
                TraceChannel { label: "C4-P4".into(), electrodes: vec![Electrode::C4, Electrode::P4], samples: wave(20.0) },
            ],
        };
        // 6 × 7.07 µV = 42.4 µV → 50 µV per channel spacing.
        assert_eq!(scale(&ex), 50.0);
        let out = traces(&ex, "x1");
        assert!(out.contains(">onset: left temporal</text>"), "{out}");
        assert!(out.contains(">→ right central (+8 s)</text>"), "{out}");
        assert!(out.contains(">50 µV</text>"));
        assert!(out.contains(">end</text>"));
        // F7-T3 shaded for the left temporal visit, C4-P4 for the right central one.
        assert_eq!(out.matches(r##"fill-opacity="0.22""##).count(), 2);
        assert_eq!(out.matches("<path d=\"M").count(), 2);
    }
}
