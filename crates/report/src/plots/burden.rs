//! Section 3: seizure burden over the recording.

use eimfs_core::SeizureMap;

use crate::model::Span;
use crate::style;
use crate::svg::{self, Anchor, Svg};

/// Figure width.
pub const WIDTH: f64 = 1200.0;
const LEFT: f64 = 118.0;
const RIGHT: f64 = 14.0;

/// Bin width of the burden histogram: 1 min up to 10 min, 5 min up to 1 h, 10 min up to 4 h,
/// 30 min up to 12 h, 1 h up to 4 days, 2 h beyond.
pub fn bin_width(duration: f64) -> f64 {
    if duration <= 600.0 {
        60.0
    } else if duration <= 3600.0 {
        300.0
    } else if duration <= 4.0 * 3600.0 {
        600.0
    } else if duration <= 12.0 * 3600.0 {
        1800.0
    } else if duration <= 96.0 * 3600.0 {
        3600.0
    } else {
        7200.0
    }
}

/// One bin of the burden histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds (the last bin ends with the recording).
    pub end: f64,
    /// Seizures starting in the bin.
    pub onsets: usize,
    /// Seizures per hour in the bin (`onsets` over the bin length).
    pub rate: f64,
    /// Fraction of the bin spent in seizure (union of all seizures, overlaps counted once).
    pub seizure_fraction: f64,
}

/// Union of seizure intervals, sorted.
pub fn union(seizures: &[SeizureMap]) -> Vec<(f64, f64)> {
    let mut iv: Vec<(f64, f64)> = seizures.iter().map(|s| (s.onset, s.offset)).filter(|(a, b)| b > a).collect();
    iv.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(iv.len());
    for (a, b) in iv {
        match out.last_mut() {
            Some(l) if a <= l.1 => l.1 = l.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The histogram of seizure onsets and seizure time in bins of [`bin_width`].
pub fn bins(duration: f64, seizures: &[SeizureMap]) -> Vec<Bin> {
    let w = bin_width(duration);
    let n = (duration / w).ceil().max(1.0) as usize;
    let mut out: Vec<Bin> = (0..n)
        .map(|k| {
            let start = k as f64 * w;
            Bin { start, end: (start + w).min(duration), onsets: 0, rate: 0.0, seizure_fraction: 0.0 }
        })
        .collect();
    for s in seizures {
        let k = ((s.onset / w).floor().max(0.0) as usize).min(n - 1);
        out[k].onsets += 1;
    }
    let u = union(seizures);
    for b in &mut out {
        let len = (b.end - b.start).max(1e-9);
        let covered: f64 = u.iter().map(|(x, y)| (y.min(b.end) - x.max(b.start)).max(0.0)).sum();
        b.seizure_fraction = (covered / len).min(1.0);
        b.rate = b.onsets as f64 * 3600.0 / len;
    }
    out
}

/// Draw the burden figure: seizures per hour (bars) and the share of time in seizure, with
/// clusters shaded and status epilepticus marked.
pub fn burden(duration: f64, seizures: &[SeizureMap], clusters: &[Span], status: &[Span]) -> String {
    let duration = duration.max(1.0);
    let bins = bins(duration, seizures);
    let pw = WIDTH - LEFT - RIGHT;
    let x_of = |t: f64| LEFT + t / duration * pw;
    let top = 22.0;
    let h1 = 150.0;
    let gap = 16.0;
    let h2 = 60.0;
    let y1 = top;
    let y2 = top + h1 + gap;
    let axis = y2 + h2;
    let mut s = Svg::new(WIDTH, axis + 34.0);

    // Clusters (shaded behind both panels) and status epilepticus (red band on top).
    for (i, c) in clusters.iter().enumerate() {
        let (x0, x1) = (x_of(c.start), x_of(c.end.min(duration)));
        let label = match c.seizures {
            Some(n) => format!("cluster {}: {} seizures, {}–{}", i + 1, n, svg::clock(c.start), svg::clock(c.end)),
            None => format!("cluster {}: {}–{}", i + 1, svg::clock(c.start), svg::clock(c.end)),
        };
        s.rect_titled(
            x0,
            y1,
            (x1 - x0).max(1.5),
            axis - y1,
            &format!(r##"fill="{}" stroke="#e0b400" stroke-width="0.6""##, style::CLUSTER),
            &label,
        );
        if x1 - x0 > 26.0 || clusters.len() <= 12 {
            s.text((x0 + x1) / 2.0, y1 + 11.0, Anchor::Middle, r##"class="lbl" fill="#7a5c00""##, &format!("C{}", i + 1));
        }
    }
    for (i, e) in status.iter().enumerate() {
        let (x0, x1) = (x_of(e.start), x_of(e.end.min(duration)));
        let note = e.note.clone().unwrap_or_default();
        s.rect_titled(
            x0,
            4.0,
            (x1 - x0).max(2.0),
            9.0,
            &format!(r#"fill="{}""#, style::STATUS),
            &format!("status epilepticus {}: {}–{} {note}", i + 1, svg::clock(e.start), svg::clock(e.end)),
        );
        s.text(x0, 2.0 + 9.0, Anchor::End, r##"class="lbl" fill="#c92a2a""##, if i == 0 { "status epilepticus " } else { "" });
    }

    // Panel 1: seizures per hour.
    let max_rate = bins.iter().map(|b| b.rate).fold(0.0, f64::max).max(1.0);
    let ticks = svg::nice_ticks(0.0, max_rate, 4);
    let ymax = ticks.last().copied().filter(|t| *t >= max_rate).unwrap_or(max_rate);
    let yr = |v: f64| y1 + h1 - v / ymax * (h1 - 14.0);
    for t in &ticks {
        s.line(LEFT, yr(*t), LEFT + pw, yr(*t), &format!(r#"stroke="{}""#, style::GRID));
        s.text(LEFT - 6.0, yr(*t) + 4.0, Anchor::End, r#"class="tick""#, &svg::num(*t, 2));
    }
    s.text(
        14.0,
        y1 + h1 / 2.0,
        Anchor::Middle,
        &format!(r#"class="lbl" transform="rotate(-90 14 {})""#, svg::num(y1 + h1 / 2.0, 1)),
        "seizures / hour",
    );
    for b in &bins {
        let (x0, x1) = (x_of(b.start), x_of(b.end));
        if b.onsets > 0 {
            s.rect_titled(
                x0 + 0.5,
                yr(b.rate),
                (x1 - x0 - 1.0).max(0.8),
                y1 + h1 - yr(b.rate),
                r##"fill="#364fc7""##,
                &format!("{}–{}: {} seizure(s), {} per hour", svg::clock(b.start), svg::clock(b.end), b.onsets, svg::num(b.rate, 1)),
            );
        }
    }
    s.line(LEFT, y1 + h1, LEFT + pw, y1 + h1, &format!(r#"stroke="{}""#, style::AXIS));

    // Panel 2: time in seizure.
    let yf = |v: f64| y2 + h2 - v * h2;
    for t in [0.0, 0.5, 1.0] {
        s.line(LEFT, yf(t), LEFT + pw, yf(t), &format!(r#"stroke="{}""#, style::GRID));
        s.text(LEFT - 6.0, yf(t) + 4.0, Anchor::End, r#"class="tick""#, &format!("{}%", (t * 100.0) as i32));
    }
    s.text(
        14.0,
        y2 + h2 / 2.0,
        Anchor::Middle,
        &format!(r#"class="lbl" transform="rotate(-90 14 {})""#, svg::num(y2 + h2 / 2.0, 1)),
        "in seizure",
    );
    for b in bins.iter().filter(|b| b.seizure_fraction > 0.0) {
        let (x0, x1) = (x_of(b.start), x_of(b.end));
        s.rect_titled(
            x0 + 0.5,
            yf(b.seizure_fraction),
            (x1 - x0 - 1.0).max(0.8),
            b.seizure_fraction * h2,
            r##"fill="#e8590c""##,
            &format!("{}–{}: {}% of the time in seizure", svg::clock(b.start), svg::clock(b.end), svg::num(b.seizure_fraction * 100.0, 1)),
        );
    }
    s.line(LEFT, axis, LEFT + pw, axis, &format!(r#"stroke="{}""#, style::AXIS));
    let (ticks, _) = svg::time_ticks(0.0, duration, 12);
    for t in ticks {
        s.line(x_of(t), axis, x_of(t), axis + 3.0, &format!(r#"stroke="{}""#, style::AXIS));
        let label = svg::time_label(t, duration);
        let anchor = if x_of(t) + label.len() as f64 * 3.2 > WIDTH - 2.0 { Anchor::End } else { Anchor::Middle };
        s.text(x_of(t), axis + 14.0, anchor, r#"class="tick""#, &label);
    }
    s.text(
        LEFT + pw / 2.0,
        axis + 29.0,
        Anchor::Middle,
        r#"class="lbl""#,
        &format!("time from the start of the recording ({})", svg::time_unit(duration)),
    );
    s.finish("fig burden", "Seizure burden: seizures per hour and share of time in seizure over the recording, clusters shaded")
}

#[cfg(test)]
mod tests {
    use super::*;
    use eimfs_core::{Electrode, Hemisphere};

    fn sz(onset: f64, offset: f64) -> SeizureMap {
        SeizureMap {
            id: 1,
            onset,
            offset,
            confidence: None,
            onset_electrodes: vec![Electrode::C3],
            onset_regions: vec![Electrode::C3.region()],
            onset_hemisphere: Hemisphere::Left,
            visits: vec![],
            hemisphere_switches: 0,
            overlaps: vec![],
            generalised: false,
        }
    }

    #[test]
    fn bins_count_onsets_and_seizure_time_once() {
        // 2 h: 10-min bins. Two overlapping seizures 100–160 and 130–190 s: 90 s of seizure time.
        let v = vec![sz(100.0, 160.0), sz(130.0, 190.0), sz(4000.0, 4030.0)];
        let b = bins(7200.0, &v);
        assert_eq!(b.len(), 12);
        assert_eq!(b[0].onsets, 2);
        assert!((b[0].rate - 12.0).abs() < 1e-12);
        assert!((b[0].seizure_fraction - 90.0 / 600.0).abs() < 1e-12);
        assert_eq!(b[6].onsets, 1);
        assert!((b[6].seizure_fraction - 30.0 / 600.0).abs() < 1e-12);
        assert_eq!(b.iter().map(|x| x.onsets).sum::<usize>(), 3);
        // A partial last bin: 1 h 05 min → the last bin is 5 min long.
        let b = bins(3900.0, &[sz(3700.0, 3730.0)]);
        assert_eq!(b.last().unwrap().end, 3900.0);
        assert!((b.last().unwrap().rate - 12.0).abs() < 1e-12);
        assert_eq!(bin_width(72.0 * 3600.0), 3600.0);
    }

    #[test]
    fn figure_marks_clusters_and_status() {
        let v = vec![sz(100.0, 160.0), sz(400.0, 460.0)];
        let c = vec![Span { start: 100.0, end: 460.0, seizures: Some(2), note: None }];
        let st = vec![Span { start: 100.0, end: 2000.0, seizures: None, note: Some("≥ 30 min in 1 h".into()) }];
        let out = burden(7200.0, &v, &c, &st);
        assert!(out.contains("cluster 1: 2 seizures, 0:01:40–0:07:40"), "{out}");
        assert!(out.contains("status epilepticus 1: 0:01:40–0:33:20"), "{out}");
        assert!(out.contains("0:00:00–0:10:00: 2 seizure(s), 12 per hour"), "{out}");
    }
}
