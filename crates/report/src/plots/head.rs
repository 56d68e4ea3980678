//! Section 4: head maps (top view of the 10-20 layout, nose up, left on the left).

use eimfs_core::{Electrode, Region, SeizureMap};

use crate::style;
use crate::svg::{self, Anchor, Svg};

/// Projected position of an electrode on a head of radius `r` centred at (cx, cy): azimuthal
/// equidistant projection from the vertex (as EEGLAB's topoplot), the 92° ring of Fp1/T3/O1 at
/// 0.88 r, nose up and the left hemisphere on the left of the page (seen from above, as clinical
/// head maps are drawn).
pub fn project(e: Electrode, cx: f64, cy: f64, r: f64) -> (f64, f64) {
    let [x, y, z] = e.position();
    let theta = z.clamp(-1.0, 1.0).acos();
    let rho = theta / 92f64.to_radians() * 0.88 * r;
    let n = (x * x + y * y).sqrt();
    if n < 1e-12 {
        return (cx, cy);
    }
    (cx + rho * x / n, cy - rho * y / n)
}

/// Centre of a region: the mean projected position of its electrodes.
pub fn region_centre(reg: Region, cx: f64, cy: f64, r: f64) -> (f64, f64) {
    let pts: Vec<(f64, f64)> = reg.electrodes().map(|e| project(e, cx, cy, r)).collect();
    let n = pts.len().max(1) as f64;
    (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n)
}

/// Head outline: circle, nose, ears, and L/R labels.
fn outline(s: &mut Svg, cx: f64, cy: f64, r: f64) {
    s.polygon(
        &[(cx - 0.12 * r, cy - 0.99 * r), (cx, cy - 1.13 * r), (cx + 0.12 * r, cy - 0.99 * r)],
        r##"fill="#fff" stroke="#868e96" stroke-width="1.2""##,
    );
    for side in [-1.0, 1.0] {
        let ex = cx + side * r;
        s.raw(&format!(
            r##"<path d="M{} {} q{} {} 0 {}" fill="#fff" stroke="#868e96" stroke-width="1.2"/>"##,
            svg::num(ex, 1),
            svg::num(cy - 0.16 * r, 1),
            svg::num(side * 0.14 * r, 1),
            svg::num(0.16 * r, 1),
            svg::num(0.32 * r, 1)
        ));
    }
    s.circle(cx, cy, r, r##"fill="#fff" stroke="#868e96" stroke-width="1.2""##);
    s.text(cx - r - 0.2 * r, cy + r * 0.55, Anchor::Middle, r#"class="lbl""#, "L");
    s.text(cx + r + 0.2 * r, cy + r * 0.55, Anchor::Middle, r#"class="lbl""#, "R");
}

/// Onsets per electrode: how many seizures list each electrode among their onset electrodes.
/// Seizures without onset electrodes count at the electrodes of their onset region(s).
pub fn onset_counts(seizures: &[SeizureMap]) -> [usize; 19] {
    let mut c = [0usize; 19];
    for s in seizures {
        if s.onset_electrodes.is_empty() {
            for r in &s.onset_regions {
                for e in r.electrodes() {
                    c[e.index()] += 1;
                }
            }
        } else {
            for e in &s.onset_electrodes {
                c[e.index()] += 1;
            }
        }
    }
    c
}

/// Onsets per region (first onset region of each seizure), in [`style::ROW_ORDER`].
pub fn onset_region_counts(seizures: &[SeizureMap]) -> Vec<(Region, usize)> {
    style::ROW_ORDER
        .iter()
        .map(|r| (*r, seizures.iter().filter(|s| s.onset_regions.first().or(s.visits.first().map(|v| &v.region)) == Some(r)).count()))
        .collect()
}

/// Head map of onset counts per electrode: circle area grows with the count; the number is
/// written in the circle.
pub fn onset_map(seizures: &[SeizureMap]) -> String {
    let (w, h) = (380.0, 380.0);
    let (cx, cy, r) = (190.0, 196.0, 150.0);
    let mut s = Svg::new(w, h);
    outline(&mut s, cx, cy, r);
    let counts = onset_counts(seizures);
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    for e in Electrode::ALL {
        let (x, y) = project(e, cx, cy, r);
        let c = counts[e.index()];
        if c == 0 {
            s.circle_titled(x, y, 11.0, r##"fill="#f1f3f5" stroke="#adb5bd""##, &format!("{}: no onset", e.name()));
            s.text(x, y + 4.0, Anchor::Middle, r#"class="el""#, e.name());
        } else {
            let rad = 12.0 + 16.0 * (c as f64 / max).sqrt();
            let reg = e.region();
            s.circle_titled(
                x,
                y,
                rad,
                &format!(
                    r#"fill="{}" fill-opacity="0.85" stroke="{}" stroke-width="1.2""#,
                    style::region_fill(reg),
                    style::region_stroke(reg)
                ),
                &format!("{}: {} seizure onset(s)", e.name(), c),
            );
            s.text(x, y - 1.0, Anchor::Middle, r#"class="el""#, e.name());
            s.text(x, y + 11.0, Anchor::Middle, r#"class="elc""#, &c.to_string());
        }
    }
    s.finish("fig head onsets", "Head map of seizure onsets per electrode (top view, nose up)")
}

/// Horizontal bars of onsets per region.
pub fn region_bars(seizures: &[SeizureMap]) -> String {
    let counts = onset_region_counts(seizures);
    let max = counts.iter().map(|c| c.1).max().unwrap_or(0).max(1) as f64;
    let (w, row) = (300.0, 22.0);
    let left = 84.0;
    let mut s = Svg::new(w, 11.0 * row + 24.0);
    for (i, (reg, c)) in counts.iter().enumerate() {
        let y = 12.0 + i as f64 * row + if i >= 5 { 4.0 } else { 0.0 } + if i >= 6 { 4.0 } else { 0.0 };
        s.text(left - 8.0, y + 13.0, Anchor::End, r#"class="lbl""#, &style::region_short(*reg));
        let bw = (*c as f64 / max) * (w - left - 34.0);
        s.rect(left, y + 2.0, w - left - 34.0, row - 6.0, r##"fill="#f8f9fa""##);
        if *c > 0 {
            s.rect_titled(
                left,
                y + 2.0,
                bw.max(1.5),
                row - 6.0,
                &format!(r#"fill="{}" stroke="{}" stroke-width="0.8""#, style::region_fill(*reg), style::region_stroke(*reg)),
                &format!("{}: {c} onset(s)", style::region_name(*reg)),
            );
        }
        s.text(left + bw + 5.0, y + 14.0, Anchor::Start, r#"class="tick""#, &c.to_string());
    }
    s.finish("fig regionbars", "Seizure onsets per region")
}

/// The steps of a seizure's path: each change of region in its visits (consecutive visits to
/// the same region merged), with the delay since the previous step.
pub fn path_steps(s: &SeizureMap) -> Vec<(Region, f64, f64)> {
    let mut visits = s.visits.clone();
    visits.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut out: Vec<(Region, f64, f64)> = Vec::new();
    for v in visits {
        if out.last().is_some_and(|l| l.0 == v.region) {
            continue;
        }
        let delay = out.last().map_or(0.0, |l| v.start - l.1);
        out.push((v.region, v.start, delay));
    }
    out
}

/// Head map of one seizure's migration: numbered points at the regions it visits, in order,
/// joined by curved arrows labelled with the delay between the starts of successive ictal
/// activities. `uid` makes the arrow-head marker id unique in the page.
pub fn path_map(sz: &SeizureMap, uid: &str) -> String {
    let (w, h) = (280.0, 290.0);
    let (cx, cy, r) = (140.0, 150.0, 112.0);
    let mut s = Svg::new(w, h);
    let mid = format!("ah-{}", uid.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    s.def(&format!(
        r##"<marker id="{mid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#212529"/></marker>"##
    ));
    outline(&mut s, cx, cy, r);
    for e in Electrode::ALL {
        let (x, y) = project(e, cx, cy, r);
        s.circle(x, y, 2.2, r##"fill="#adb5bd""##);
        s.text(x, y - 4.0, Anchor::Middle, r#"class="elsmall""#, e.name());
    }
    let steps = path_steps(sz);
    let onset_pt = if sz.onset_electrodes.is_empty() {
        None
    } else {
        let pts: Vec<(f64, f64)> = sz.onset_electrodes.iter().map(|e| project(*e, cx, cy, r)).collect();
        let n = pts.len() as f64;
        Some((pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n))
    };
    let pts: Vec<(f64, f64)> = steps
        .iter()
        .enumerate()
        .map(|(i, st)| match onset_pt {
            Some(p) if i == 0 && sz.onset_regions.first() == Some(&st.0) => p,
            _ => region_centre(st.0, cx, cy, r),
        })
        .collect();
    // Arrows, bent to the left of their direction so that back-and-forth moves stay apart.
    for i in 1..pts.len() {
        let (a, b) = (pts[i - 1], pts[i]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-6);
        let (ux, uy) = (dx / len, dy / len);
        let (a2, b2) = ((a.0 + ux * 11.0, a.1 + uy * 11.0), (b.0 - ux * 12.0, b.1 - uy * 12.0));
        let bend = 0.18 * len;
        let c = ((a.0 + b.0) / 2.0 + uy * bend, (a.1 + b.1) / 2.0 - ux * bend);
        s.raw(&format!(
            r##"<path d="M{} {}Q{} {} {} {}" fill="none" stroke="#212529" stroke-width="2" marker-end="url(#{mid})"/>"##,
            svg::num(a2.0, 1),
            svg::num(a2.1, 1),
            svg::num(c.0, 1),
            svg::num(c.1, 1),
            svg::num(b2.0, 1),
            svg::num(b2.1, 1)
        ));
        // Delay label at the apex of the curve.
        let lx = (a.0 + b.0) / 4.0 + c.0 / 2.0 + uy * 10.0;
        let ly = (a.1 + b.1) / 4.0 + c.1 / 2.0 - ux * 10.0;
        let label = format!("+{} s", svg::num(steps[i].2, 0));
        s.rect(lx - 17.0, ly - 10.0, 34.0, 14.0, r##"fill="#fff" fill-opacity="0.9" rx="3""##);
        s.text(lx, ly + 1.0, Anchor::Middle, r#"class="delay""#, &label);
    }
    for (i, (p, st)) in pts.iter().zip(&steps).enumerate() {
        s.circle_titled(
            p.0,
            p.1,
            10.0,
            &format!(r#"fill="{}" stroke="{}" stroke-width="1.5""#, style::region_fill(st.0), style::region_stroke(st.0)),
            &format!("{}. {} from {}", i + 1, style::region_name(st.0), svg::clock(st.1)),
        );
        s.text(p.0, p.1 + 4.0, Anchor::Middle, r#"class="step""#, &(i + 1).to_string());
    }
    s.finish("fig head path", &format!("Migration of seizure {}", sz.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use eimfs_core::{Hemisphere, Lobe, RegionVisit};

    #[test]
    fn projection_puts_electrodes_where_a_reader_expects_them() {
        let (cx, cy, r) = (100.0, 100.0, 80.0);
        let cz = project(Electrode::Cz, cx, cy, r);
        assert!((cz.0 - 100.0).abs() < 1e-9 && (cz.1 - 100.0).abs() < 1e-9);
        let fp1 = project(Electrode::Fp1, cx, cy, r);
        assert!(fp1.1 < 40.0 && fp1.0 < 100.0, "Fp1 front left: {fp1:?}");
        let t4 = project(Electrode::T4, cx, cy, r);
        assert!((t4.0 - (100.0 + 0.88 * 80.0)).abs() < 1e-9 && (t4.1 - 100.0).abs() < 1e-9, "T4 right: {t4:?}");
        let o2 = project(Electrode::O2, cx, cy, r);
        assert!(o2.1 > 160.0 && o2.0 > 100.0, "O2 back right: {o2:?}");
    }

    #[test]
    fn counts_and_path() {
        let lt = Region::new(Lobe::Temporal, Hemisphere::Left);
        let rc = Region::new(Lobe::Central, Hemisphere::Right);
        let visits = vec![
            RegionVisit { region: lt, start: 10.0, end: 60.0 },
            RegionVisit { region: lt, start: 20.0, end: 30.0 },
            RegionVisit { region: rc, start: 35.0, end: 80.0 },
            RegionVisit { region: lt, start: 70.0, end: 90.0 },
        ];
        let sz = SeizureMap {
            id: 3,
            onset: 10.0,
            offset: 90.0,
            confidence: None,
            onset_electrodes: vec![Electrode::T3, Electrode::T5],
            onset_regions: vec![lt],
            onset_hemisphere: Hemisphere::Left,
            visits,
            hemisphere_switches: 2,
            overlaps: vec![],
            generalised: false,
        };
        let steps = path_steps(&sz);
        assert_eq!(steps, vec![(lt, 10.0, 0.0), (rc, 35.0, 25.0), (lt, 70.0, 35.0)]);
        let c = onset_counts(std::slice::from_ref(&sz));
        assert_eq!((c[Electrode::T3.index()], c[Electrode::T5.index()], c[Electrode::C4.index()]), (1, 1, 0));
        let out = path_map(&sz, "sz3");
        assert_eq!(out.matches("marker-end=\"url(#ah-sz3)\"").count(), 2);
        assert!(out.contains(">+25 s</text>") && out.contains(">+35 s</text>"), "{out}");
        assert!(out.contains("2. right central from 0:00:35"), "{out}");
        let rc_counts = onset_region_counts(std::slice::from_ref(&sz));
        assert_eq!(rc_counts.iter().find(|x| x.0 == lt).unwrap().1, 1);
        assert_eq!(rc_counts.iter().map(|x| x.1).sum::<usize>(), 1);
    }
}
