//! A small SVG writer: the plots of the report are drawn with it.
//!
//! Every figure is a standalone `<svg>` element with a `viewBox`, so it scales to the width of the
//! page and prints sharply. Text uses the page's font (the system font stack set by the
//! stylesheet), numbers are written with at most two decimals to keep the file small.

use std::fmt::Write as _;

/// Escape text for use in SVG/HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number with at most `d` decimals and no trailing zeros (`12`, `12.5`, `-0.25`).
pub fn num(x: f64, d: usize) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    let mut s = format!("{x:.d$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" { "0".into() } else { s }
}

/// Text anchor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// Left-aligned at x.
    Start,
    /// Centred on x.
    Middle,
    /// Right-aligned at x.
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// An SVG document under construction.
#[derive(Clone, Debug)]
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
    defs: String,
}

impl Svg {
    /// An empty drawing of `width` × `height` user units (pixels at 100 % zoom).
    pub fn new(width: f64, height: f64) -> Svg {
        Svg { width, height, body: String::new(), defs: String::new() }
    }

    /// Width in user units.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Height in user units.
    pub fn height(&self) -> f64 {
        self.height
    }

    /// Change the height (figures whose height is known only at the end).
    pub fn set_height(&mut self, h: f64) {
        self.height = h;
    }

    /// Append raw SVG markup (already escaped).
    pub fn raw(&mut self, s: &str) {
        self.body.push_str(s);
    }

    /// Append raw markup to `<defs>`.
    pub fn def(&mut self, s: &str) {
        self.defs.push_str(s);
    }

    /// A rectangle. `extra` holds further attributes (`fill="…" class="…"`).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, extra: &str) {
        let _ = write!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" {extra}/>"#,
            num(x, 2),
            num(y, 2),
            num(w.max(0.0), 2),
            num(h.max(0.0), 2)
        );
    }

    /// A rectangle with a tooltip (`<title>`).
    pub fn rect_titled(&mut self, x: f64, y: f64, w: f64, h: f64, extra: &str, title: &str) {
        let _ = write!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" {extra}><title>{}</title></rect>"#,
            num(x, 2),
            num(y, 2),
            num(w.max(0.0), 2),
            num(h.max(0.0), 2),
            escape(title)
        );
    }

    /// A straight line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, extra: &str) {
        let _ = write!(self.body, r#"<line x1="{}" y1="{}" x2="{}" y2="{}" {extra}/>"#, num(x1, 2), num(y1, 2), num(x2, 2), num(y2, 2));
    }

    /// A circle.
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, extra: &str) {
        let _ = write!(self.body, r#"<circle cx="{}" cy="{}" r="{}" {extra}/>"#, num(cx, 2), num(cy, 2), num(r, 2));
    }

    /// A circle with a tooltip.
    pub fn circle_titled(&mut self, cx: f64, cy: f64, r: f64, extra: &str, title: &str) {
        let _ = write!(
            self.body,
            r#"<circle cx="{}" cy="{}" r="{}" {extra}><title>{}</title></circle>"#,
            num(cx, 2),
            num(cy, 2),
            num(r, 2),
            escape(title)
        );
    }

    /// Text at (x, y) (baseline), escaped. `extra` may set `class`, `font-size`, `fill`…
    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, extra: &str, text: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{}" y="{}" text-anchor="{}" {extra}>{}</text>"#,
            num(x, 1),
            num(y, 1),
            anchor.attr(),
            escape(text)
        );
    }

    /// A polyline through `points` as a path (`M x y L x y …`), coordinates with one decimal.
    pub fn polyline(&mut self, points: &[(f64, f64)], extra: &str) {
        if points.len() < 2 {
            return;
        }
        let mut d = String::with_capacity(points.len() * 12);
        for (i, (x, y)) in points.iter().enumerate() {
            d.push(if i == 0 {
                'M'
            } else if i == 1 {
                'L'
            } else {
                ' '
            });
            d.push_str(&num(*x, 1));
            d.push(' ');
            d.push_str(&num(*y, 1));
        }
        let _ = write!(self.body, r#"<path d="{d}" fill="none" {extra}/>"#);
    }

    /// A closed polygon.
    pub fn polygon(&mut self, points: &[(f64, f64)], extra: &str) {
        let pts: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", num(*x, 2), num(*y, 2))).collect();
        let _ = write!(self.body, r#"<polygon points="{}" {extra}/>"#, pts.join(" "));
    }

    /// Open a group `<g …>`; close it with [`Svg::end_group`].
    pub fn group(&mut self, extra: &str) {
        let _ = write!(self.body, "<g {extra}>");
    }

    /// Close a group.
    pub fn end_group(&mut self) {
        self.body.push_str("</g>");
    }

    /// The finished `<svg>` element. `class` and `label` (an accessible name, also shown as the
    /// figure's tooltip) are set on the root element.
    pub fn finish(self, class: &str, label: &str) -> String {
        let mut s = String::with_capacity(self.body.len() + self.defs.len() + 300);
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}">"#,
            escape(class),
            num(self.width, 1),
            num(self.height, 1),
            num(self.width, 1),
            num(self.height, 1),
            escape(label)
        );
        if !self.defs.is_empty() {
            s.push_str("<defs>");
            s.push_str(&self.defs);
            s.push_str("</defs>");
        }
        s.push_str(&self.body);
        s.push_str("</svg>");
        s
    }
}

/// "Nice" axis ticks between `lo` and `hi`: about `n` round values (1, 2, 2.5 or 5 × 10^k steps).
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi.is_nan() || lo.is_nan() || hi <= lo || n == 0 {
        return vec![lo];
    }
    let raw = (hi - lo) / n as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let start = (lo / step).ceil() * step;
    let mut t = Vec::new();
    let mut k = 0;
    loop {
        let v = start + k as f64 * step;
        if v > hi + step * 1e-9 {
            break;
        }
        t.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        k += 1;
    }
    t
}

/// Time ticks (seconds) for an axis from `lo` to `hi` seconds with about `n` ticks, on steps a
/// reader expects (1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10, 15, 30 min; 1, 2, 3, 6, 12, 24 h).
pub fn time_ticks(lo: f64, hi: f64, n: usize) -> (Vec<f64>, f64) {
    const STEPS: [f64; 20] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0, 43200.0, 86400.0,
        172800.0, 604800.0,
    ];
    let raw = (hi - lo).max(1e-9) / n.max(1) as f64;
    let step = STEPS.iter().copied().find(|s| *s >= raw).unwrap_or(604800.0);
    let start = (lo / step).ceil() * step;
    let mut t = Vec::new();
    let mut v = start;
    while v <= hi + 1e-9 {
        t.push(v);
        v += step;
    }
    (t, step)
}

/// Label of a time in seconds from the recording start on an axis that ends at `hi` seconds:
/// `12 s` on axes up to a minute, `m:ss` under an hour, `h:mm` on longer ones (`d hh:mm` past a
/// day). [`time_unit`] names the format.
pub fn time_label(t: f64, hi: f64) -> String {
    let t = t.max(0.0);
    let total = t.round() as i64;
    let (d, h, m, s) = (total / 86400, (total % 86400) / 3600, (total % 3600) / 60, total % 60);
    if hi <= 60.0 {
        format!("{} s", num(t, 1))
    } else if hi < 3600.0 {
        format!("{}:{s:02}", total / 60)
    } else if d > 0 {
        format!("{d} d {h:02}:{m:02}")
    } else {
        format!("{h}:{m:02}")
    }
}

/// The format of [`time_label`] for an axis ending at `hi` seconds: `s`, `m:ss` or `h:mm`.
pub fn time_unit(hi: f64) -> &'static str {
    if hi <= 60.0 {
        "s"
    } else if hi < 3600.0 {
        "m:ss"
    } else {
        "h:mm"
    }
}

/// Duration in words for tables and text: `45 s`, `2 min 05 s`, `1 h 12 min`.
pub fn duration_label(secs: f64) -> String {
    if !secs.is_finite() {
        return "n/a".into();
    }
    let s = secs.max(0.0);
    if s < 60.0 {
        format!("{} s", num(s, if s < 10.0 { 1 } else { 0 }))
    } else if s < 3600.0 {
        let t = s.round() as i64;
        format!("{} min {:02} s", t / 60, t % 60)
    } else {
        let t = (s / 60.0).round() as i64;
        if t >= 24 * 60 {
            format!("{} d {} h {:02} min", t / 1440, (t % 1440) / 60, t % 60)
        } else {
            format!("{} h {:02} min", t / 60, t % 60)
        }
    }
}

/// Clock time `h:mm:ss` of `t` seconds from the start (`27:04:10` past a day: hours keep counting).
pub fn clock(t: f64) -> String {
    let total = t.max(0.0).round() as i64;
    format!("{}:{:02}:{:02}", total / 3600, (total % 3600) / 60, total % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_escaping() {
        assert_eq!(num(12.0, 2), "12");
        assert_eq!(num(12.5, 2), "12.5");
        assert_eq!(num(-0.001, 2), "0");
        assert_eq!(num(1.23456, 2), "1.23");
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn ticks() {
        assert_eq!(nice_ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(nice_ticks(0.0, 7.0, 3), vec![0.0, 2.5, 5.0]);
        let (t, step) = time_ticks(0.0, 7200.0, 8);
        assert_eq!(step, 900.0);
        assert_eq!(t.len(), 9);
        assert_eq!(time_label(5400.0, 7200.0), "1:30");
        assert_eq!(time_label(90.0, 600.0), "1:30");
        assert_eq!(time_label(12.0, 30.0), "12 s");
        assert_eq!(time_label(90000.0, 3.0 * 86400.0), "1 d 01:00");
        assert_eq!((time_unit(30.0), time_unit(600.0), time_unit(7200.0)), ("s", "m:ss", "h:mm"));
        assert_eq!(duration_label(45.2), "45 s");
        assert_eq!(duration_label(125.0), "2 min 05 s");
        assert_eq!(duration_label(4320.0), "1 h 12 min");
        assert_eq!(clock(97450.0), "27:04:10");
    }

    #[test]
    fn document() {
        let mut s = Svg::new(100.0, 50.0);
        s.rect(1.0, 2.0, 3.0, 4.0, r#"fill="red""#);
        s.text(5.0, 6.0, Anchor::Middle, "", "T3 & T5");
        s.polyline(&[(0.0, 0.0), (1.0, 1.25), (2.0, 0.5)], r#"stroke="black""#);
        let out = s.finish("fig", "a figure");
        assert!(out.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" class="fig" viewBox="0 0 100 50""#), "{out}");
        assert!(out.contains(r#"<rect x="1" y="2" width="3" height="4" fill="red"/>"#), "{out}");
        assert!(out.contains(">T3 &amp; T5</text>"), "{out}");
        assert!(out.contains(r#"d="M0 0L1 1.2 2 0.5""#) || out.contains(r#"d="M0 0L1 1.3 2 0.5""#), "{out}");
        assert!(out.ends_with("</svg>"));
    }
}
