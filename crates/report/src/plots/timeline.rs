//! Section 2: the seizure timeline, a raster of regions against time.

use eimfs_core::SeizureMap;

use crate::model::{Evaluation, Probability};
use crate::style::{self, ROW_ORDER};
use crate::svg::{self, Anchor, Svg};

/// Figure width in user units.
pub const WIDTH: f64 = 1200.0;
const LEFT: f64 = 118.0;
const RIGHT: f64 = 14.0;
const ROW: f64 = 13.0;
const LANE: f64 = 8.0;
const STRIP_GAP: f64 = 22.0;

/// How the recording is cut into strips: `(strip length in seconds, number of strips)`. Short
/// recordings get one strip; longer ones at most three strips of a round length (1 h, 2 h, …,
/// 24 h, 48 h) so that each strip keeps a useful resolution.
pub fn strips(duration: f64) -> (f64, usize) {
    const LENGTHS: [f64; 11] = [3600.0, 7200.0, 10800.0, 14400.0, 21600.0, 28800.0, 43200.0, 86400.0, 172800.0, 345600.0, 691200.0];
    if duration <= 5400.0 {
        return (duration.max(1.0), 1);
    }
    for l in LENGTHS {
        let n = (duration / l).ceil() as usize;
        if n <= 3 {
            return (l, n);
        }
    }
    let l = (duration / 3.0 / 86400.0).ceil() * 86400.0;
    (l, (duration / l).ceil() as usize)
}

/// One drawn interval of a raster row.
#[derive(Clone, Debug)]
struct Bar {
    x0: f64,
    x1: f64,
    fill: &'static str,
    stroke: &'static str,
    onset_edge: bool,
    title: String,
    n: usize,
    t0: f64,
    t1: f64,
}

/// Merge bars of the same colour that touch at this resolution (dense recordings: thousands of
/// seizures on one strip), so the figure stays small and fast. Bars wider than 3 px are kept
/// apart, so overlaps stay visible where they can be seen.
fn merge_dense(mut bars: Vec<Bar>) -> Vec<Bar> {
    bars.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let mut out: Vec<Bar> = Vec::with_capacity(bars.len());
    for b in bars {
        if let Some(last) = out.last_mut()
            && last.fill == b.fill
            && b.x0 - last.x1 < 1.0
            && (last.x1 - last.x0 < 3.0 || b.x1 - b.x0 < 3.0)
        {
            last.x1 = last.x1.max(b.x1);
            last.t1 = last.t1.max(b.t1);
            last.n += b.n;
            last.onset_edge |= b.onset_edge;
            continue;
        }
        out.push(b);
    }
    for b in &mut out {
        if b.n > 1 {
            b.title = format!("{} seizures, {}–{}", b.n, svg::clock(b.t0), svg::clock(b.t1));
        }
    }
    out
}

fn draw_bars(s: &mut Svg, bars: &[Bar], y: f64, h: f64) {
    for b in bars {
        let w = (b.x1 - b.x0).max(1.2);
        s.rect_titled(b.x0, y, w, h, &format!(r#"fill="{}" stroke="{}" stroke-width="0.6""#, b.fill, b.stroke), &b.title);
        if b.onset_edge && w >= 3.0 {
            s.line(b.x0 + 0.6, y, b.x0 + 0.6, y + h, r##"stroke="#111" stroke-width="1.4""##);
        }
    }
}

/// Greedy lane assignment: each seizure goes to the first lane that is free at its onset, so
/// seizures that overlap in time sit on different lanes.
pub fn lanes(seizures: &[SeizureMap]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..seizures.len()).collect();
    order.sort_by(|&a, &b| seizures[a].onset.total_cmp(&seizures[b].onset));
    let mut ends: Vec<f64> = Vec::new();
    let mut lane = vec![0; seizures.len()];
    for i in order {
        let s = &seizures[i];
        let k = match ends.iter().position(|&e| e <= s.onset) {
            Some(k) => k,
            None => {
                ends.push(f64::NEG_INFINITY);
                ends.len() - 1
            }
        };
        ends[k] = s.offset;
        lane[i] = k;
    }
    lane
}

fn seizure_title(s: &SeizureMap) -> String {
    let seq: Vec<String> = s.region_sequence().iter().map(|r| style::region_short(*r)).collect();
    format!("Seizure {} at {}, {} — {}", s.id, svg::clock(s.onset), svg::duration_label(s.duration()), seq.join(" → "))
}

/// Draw the timeline. `evaluation` adds a truth row (true seizures found or missed) and a
/// scored-detection row (correct or false); `probability` adds the detector's probability.
pub fn timeline(duration: f64, seizures: &[SeizureMap], evaluation: Option<&Evaluation>, probability: Option<&Probability>) -> String {
    let duration = duration.max(1.0);
    let (len, n) = strips(duration);
    let pw = WIDTH - LEFT - RIGHT;
    let px_per_s = pw / len;
    let lane_of = lanes(seizures);
    let n_lanes = lane_of.iter().copied().max().map_or(1, |m| m + 1).min(4);
    let has_prob = probability.is_some_and(|p| !p.overall.is_empty());
    let has_eval = evaluation.is_some();

    // Vertical layout of one strip.
    let mut y = 0.0;
    let prob_y = y;
    if has_prob {
        y += 10.0 + 4.0;
    }
    let eval_y = y;
    if has_eval {
        y += 2.0 * (ROW - 2.0) + 2.0 + 6.0;
    }
    let lanes_y = y;
    y += n_lanes as f64 * LANE + 6.0;
    let rows_y = y;
    let row_y = |r: usize| rows_y + r as f64 * ROW + if r >= 5 { 5.0 } else { 0.0 } + if r >= 6 { 5.0 } else { 0.0 };
    let axis_y = row_y(10) + ROW + 2.0;
    let strip_h = axis_y + 16.0;
    let total_h = n as f64 * strip_h + (n.saturating_sub(1)) as f64 * STRIP_GAP + 16.0;

    let mut s = Svg::new(WIDTH, total_h);
    for k in 0..n {
        let t0 = k as f64 * len;
        let t1 = (t0 + len).min(duration);
        let oy = k as f64 * (strip_h + STRIP_GAP) + 2.0;
        let x_of = |t: f64| LEFT + (t - t0) * px_per_s;
        let xend = x_of(t1);
        let in_strip = |a: f64, b: f64| b >= t0 && a <= t1;
        let clip = |a: f64, b: f64| (x_of(a.max(t0)), x_of(b.min(t1)));

        // Row labels and backgrounds.
        if has_prob {
            s.text(LEFT - 6.0, oy + prob_y + 8.5, Anchor::End, r#"class="lbl""#, "P(seizure)");
            s.rect(LEFT, oy + prob_y, xend - LEFT, 10.0, r##"fill="#f8f9fa""##);
        }
        if has_eval {
            s.text(LEFT - 6.0, oy + eval_y + 9.0, Anchor::End, r#"class="lbl""#, "true seizures");
            s.text(LEFT - 6.0, oy + eval_y + ROW - 2.0 + 2.0 + 9.0, Anchor::End, r#"class="lbl""#, "detections");
            s.rect(LEFT, oy + eval_y, xend - LEFT, 2.0 * (ROW - 2.0) + 2.0, r##"fill="#f8f9fa""##);
        }
        s.text(LEFT - 6.0, oy + lanes_y + (n_lanes as f64 * LANE) / 2.0 + 4.0, Anchor::End, r#"class="lbl""#, "seizures");
        s.rect(LEFT, oy + lanes_y, xend - LEFT, n_lanes as f64 * LANE, r##"fill="#f8f9fa""##);
        for (r, region) in ROW_ORDER.iter().enumerate() {
            let ry = oy + row_y(r);
            s.rect(LEFT, ry, xend - LEFT, ROW - 1.0, if r % 2 == 0 { r##"fill="#f1f3f5""## } else { r##"fill="#f8f9fa""## });
            s.rect(LEFT - 14.0, ry + 2.0, 8.0, ROW - 5.0, &format!(r#"fill="{}""#, style::region_fill(*region)));
            s.text(LEFT - 18.0, ry + ROW - 3.5, Anchor::End, r#"class="lbl""#, &style::region_short(*region));
        }

        // Time grid and axis.
        let (ticks, _) = svg::time_ticks(t0, t1, 12);
        for t in &ticks {
            let x = x_of(*t);
            s.line(x, oy + lanes_y, x, oy + axis_y, &format!(r#"stroke="{}" stroke-width="1""#, style::GRID));
            s.line(x, oy + axis_y, x, oy + axis_y + 3.0, &format!(r#"stroke="{}""#, style::AXIS));
            let label = svg::time_label(*t, duration);
            let anchor = if x + label.len() as f64 * 3.2 > WIDTH - 2.0 { Anchor::End } else { Anchor::Middle };
            s.text(x, oy + axis_y + 13.0, anchor, r#"class="tick""#, &label);
        }
        s.line(LEFT, oy + axis_y, xend, oy + axis_y, &format!(r#"stroke="{}""#, style::AXIS));

        // Probability: the maximum per pixel column, in 8 grey levels.
        if let Some(p) = probability.filter(|_| has_prob) {
            let cols = ((t1 - t0) * px_per_s).ceil().max(1.0) as usize;
            let mut colmax = vec![0f32; cols];
            // Each row covers [t, next t) and every pixel column it touches.
            for (k, (t, v)) in p.seconds.iter().zip(&p.overall).enumerate() {
                let next = p.seconds.get(k + 1).copied().unwrap_or(t + 1.0).min(t + 60.0);
                if next > t0 && *t < t1 {
                    let c0 = (((t.max(t0) - t0) * px_per_s) as usize).min(cols - 1);
                    let c1 = ((((next.min(t1) - t0) * px_per_s).ceil() as usize).max(c0 + 1)).min(cols);
                    for c in &mut colmax[c0..c1] {
                        *c = c.max(*v);
                    }
                }
            }
            let level = |v: f32| (v.clamp(0.0, 1.0) * 8.0).round() as u8;
            let mut c = 0;
            while c < cols {
                let l = level(colmax[c]);
                let mut e = c + 1;
                while e < cols && level(colmax[e]) == l {
                    e += 1;
                }
                if l > 0 {
                    let shade = 235 - (l as i32 * 26).min(220);
                    s.rect(LEFT + c as f64, oy + prob_y, (e - c) as f64, 10.0, &format!(r#"fill="rgb({shade},{shade},{shade})""#));
                }
                c = e;
            }
        }

        // Truth and scored detections.
        if let Some(ev) = evaluation {
            let h = ROW - 2.0;
            let mut truth_bars = Vec::new();
            for &(a, b, detected) in ev.reference_events.iter().filter(|e| in_strip(e.0, e.1)) {
                let (x0, x1) = clip(a, b);
                let (fill, what) = if detected { (style::OK, "found") } else { (style::BAD, "MISSED") };
                truth_bars.push(Bar {
                    x0,
                    x1,
                    fill,
                    stroke: fill,
                    onset_edge: false,
                    title: format!("true seizure {}–{} ({what})", svg::clock(a), svg::clock(b)),
                    n: 1,
                    t0: a,
                    t1: b,
                });
            }
            draw_bars(&mut s, &merge_dense(truth_bars), oy + eval_y, h);
            let mut det_bars = Vec::new();
            for &(a, b, fp) in ev.detected_events.iter().filter(|e| in_strip(e.0, e.1)) {
                let (x0, x1) = clip(a, b);
                let (fill, what) = if fp { (style::BAD, "FALSE detection") } else { ("#5c7cfa", "correct") };
                det_bars.push(Bar {
                    x0,
                    x1,
                    fill,
                    stroke: fill,
                    onset_edge: false,
                    title: format!("detection {}–{} ({what})", svg::clock(a), svg::clock(b)),
                    n: 1,
                    t0: a,
                    t1: b,
                });
            }
            draw_bars(&mut s, &merge_dense(det_bars), oy + eval_y + h + 2.0, h);
            // Misses and false detections also get a marker that stays visible at any zoom.
            for &(a, b, detected) in ev.reference_events.iter().filter(|e| in_strip(e.0, e.1) && !e.2) {
                let _ = detected;
                let x = (clip(a, b).0 + clip(a, b).1) / 2.0;
                s.polygon(
                    &[(x - 3.5, oy + eval_y - 4.0), (x + 3.5, oy + eval_y - 4.0), (x, oy + eval_y + 1.0)],
                    &format!(r#"fill="{}""#, style::BAD),
                );
            }
        }

        // Seizure lanes.
        let mut lane_bars: Vec<Vec<Bar>> = vec![Vec::new(); n_lanes];
        for (i, sz) in seizures.iter().enumerate().filter(|(_, z)| in_strip(z.onset, z.offset)) {
            let (x0, x1) = clip(sz.onset, sz.offset);
            let onset_region = sz.onset_regions.first().copied().or_else(|| sz.visits.first().map(|v| v.region));
            let (fill, stroke) = onset_region.map_or(("#868e96", "#495057"), |r| (style::region_fill(r), style::region_stroke(r)));
            lane_bars[lane_of[i].min(n_lanes - 1)].push(Bar {
                x0,
                x1,
                fill,
                stroke,
                onset_edge: false,
                title: seizure_title(sz),
                n: 1,
                t0: sz.onset,
                t1: sz.offset,
            });
        }
        for (l, bars) in lane_bars.into_iter().enumerate() {
            draw_bars(&mut s, &merge_dense(bars), oy + lanes_y + l as f64 * LANE + 0.5, LANE - 1.5);
        }

        // Region raster: every visit in its row, coloured by the seizure's onset region.
        let fine = 1.0 / px_per_s <= 12.0;
        if fine {
            // Migration connectors under the bars: from each visit to the next new region.
            for sz in seizures.iter().filter(|z| in_strip(z.onset, z.offset) && z.visits.len() > 1) {
                let mut pts = Vec::new();
                for v in &sz.visits {
                    if v.start >= t0 && v.start <= t1 {
                        pts.push((x_of(v.start), oy + row_y(style::row_of(v.region)) + (ROW - 1.0) / 2.0));
                    }
                }
                if pts.len() > 1 {
                    s.polyline(&pts, r##"stroke="#343a40" stroke-width="0.8" stroke-opacity="0.7""##);
                }
            }
        }
        let mut rows: Vec<Vec<Bar>> = vec![Vec::new(); ROW_ORDER.len()];
        for sz in seizures.iter().filter(|z| in_strip(z.onset, z.offset)) {
            let onset_region = sz.onset_regions.first().copied().or_else(|| sz.visits.first().map(|v| v.region));
            let (fill, stroke) = onset_region.map_or(("#868e96", "#495057"), |r| (style::region_fill(r), style::region_stroke(r)));
            let title = seizure_title(sz);
            for (vi, v) in sz.visits.iter().enumerate().filter(|(_, v)| in_strip(v.start, v.end)) {
                let (x0, x1) = clip(v.start, v.end);
                rows[style::row_of(v.region)].push(Bar {
                    x0,
                    x1,
                    fill,
                    stroke,
                    onset_edge: vi == 0 && v.start >= t0,
                    title: format!("{title}; here {}–{}", svg::clock(v.start), svg::clock(v.end)),
                    n: 1,
                    t0: v.start,
                    t1: v.end,
                });
            }
        }
        for (r, bars) in rows.into_iter().enumerate() {
            draw_bars(&mut s, &merge_dense(bars), oy + row_y(r) + 1.0, ROW - 3.0);
        }
    }
    s.text(
        LEFT + pw / 2.0,
        total_h - 1.0,
        Anchor::Middle,
        r#"class="lbl""#,
        &format!("time from the start of the recording ({})", svg::time_unit(duration)),
    );
    s.finish(
        "fig timeline",
        "Seizure timeline: brain regions (rows) against time; each seizure drawn in the regions it involves, coloured by its onset region",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use eimfs_core::{Electrode, Hemisphere, Lobe, Region, RegionVisit};

    fn sz(id: usize, onset: f64, offset: f64, regions: &[Region]) -> SeizureMap {
        let step = (offset - onset) / regions.len() as f64;
        let visits: Vec<RegionVisit> =
            regions.iter().enumerate().map(|(i, r)| RegionVisit { region: *r, start: onset + i as f64 * step, end: offset }).collect();
        SeizureMap {
            id,
            onset,
            offset,
            confidence: Some(0.9),
            onset_electrodes: vec![Electrode::T3],
            onset_regions: vec![regions[0]],
            onset_hemisphere: regions[0].hemisphere,
            hemisphere_switches: SeizureMap::count_hemisphere_switches(&visits),
            visits,
            overlaps: vec![],
            generalised: false,
        }
    }

    #[test]
    fn strip_layout() {
        assert_eq!(strips(30.0), (30.0, 1));
        assert_eq!(strips(7200.0), (3600.0, 2));
        assert_eq!(strips(3.0 * 86400.0), (86400.0, 3));
        assert_eq!(strips(5.0 * 3600.0), (7200.0, 3));
    }

    #[test]
    fn overlapping_seizures_get_separate_lanes() {
        let lt = Region::new(Lobe::Temporal, Hemisphere::Left);
        let rf = Region::new(Lobe::Frontal, Hemisphere::Right);
        let v = vec![sz(1, 100.0, 200.0, &[lt]), sz(2, 150.0, 220.0, &[rf]), sz(3, 210.0, 260.0, &[lt]), sz(4, 300.0, 320.0, &[lt])];
        assert_eq!(lanes(&v), vec![0, 1, 0, 0]);
    }

    #[test]
    fn every_visit_is_drawn_in_its_row_with_its_onset_colour() {
        let lt = Region::new(Lobe::Temporal, Hemisphere::Left);
        let rc = Region::new(Lobe::Central, Hemisphere::Right);
        let v = vec![sz(1, 600.0, 660.0, &[lt, rc]), sz(2, 630.0, 700.0, &[rc])];
        let out = timeline(3600.0, &v, None, None);
        // Seizure 1's visits are both red (left temporal onset), seizure 2's light green.
        assert_eq!(out.matches(r##"fill="#e31a1c" stroke="#8c1011""##).count(), 3, "lane + 2 visits");
        assert_eq!(out.matches(r##"fill="#b2df8a" stroke="#1d5e19""##).count(), 2, "lane + 1 visit");
        assert!(out.contains("Seizure 1 at 0:10:00, 1 min 00 s — L temporal → R central"), "{out}");
        // One connector for the migrating seizure.
        assert_eq!(out.matches(r##"stroke="#343a40""##).count(), 1);
        assert!(out.contains(">R central</text>"));
    }

    #[test]
    fn dense_bars_are_merged() {
        let lt = Region::new(Lobe::Temporal, Hemisphere::Left);
        // 72 h with a 20-s seizure every 90 s (under a pixel apart at 81 s per pixel): 2,880 seizures.
        let v: Vec<SeizureMap> = (0..2880).map(|i| sz(i + 1, 30.0 + 90.0 * i as f64, 50.0 + 90.0 * i as f64, &[lt])).collect();
        let out = timeline(72.0 * 3600.0, &v, None, None);
        let n_rects = out.matches("<rect").count();
        // Backgrounds and legend chips: 3 strips × (1 lane + 2 × 11 rows); the seizures add one bar
        // per strip and row in use.
        assert_eq!(n_rects, 3 * (1 + 22) + 3 * 2, "{n_rects} rects");
        assert!(out.contains(" seizures, "), "merged bars say how many seizures they hold");
    }
}
