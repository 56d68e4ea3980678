//! EDF+ Time-stamped Annotation Lists (TALs): parsing and encoding.
//!
//! An annotation signal holds, in each data record, a sequence of TALs:
//! `+onset[\x15duration]\x14text\x14[text\x14...]\x00`, then `\x00` padding. In the first
//! annotation signal the first TAL of every record is the *time-keeping* TAL
//! `+start\x14\x14\x00`: the start of that record in seconds from the header start time (it also
//! carries the sub-second part of the start time, and the gaps of EDF+D).

use crate::header::parse_seconds_ns;

/// One annotation as found in a TAL, times in ns from the header start time.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawAnnotation {
    pub onset_ns: i64,
    pub duration_ns: Option<i64>,
    pub text: String,
    pub channel: Option<String>,
}

/// What one annotation signal of one data record holds.
#[derive(Debug, Default)]
pub(crate) struct SignalTals {
    /// Start of the record (time-keeping TAL), if this is the first annotation signal.
    pub timekeeping_ns: Option<i64>,
    pub annotations: Vec<RawAnnotation>,
}

/// Split `text@@Channel` into text and channel (the last `@@` with a non-empty label after it).
pub(crate) fn split_channel(text: &str) -> (String, Option<String>) {
    match text.rsplit_once("@@") {
        Some((t, c)) if !c.is_empty() => (t.to_string(), Some(c.to_string())),
        _ => (text.to_string(), None),
    }
}

/// Parse the bytes of one annotation signal in one data record. `timekeeping` is true for the
/// first annotation signal. Problems are reported through `warn(byte offset in `bytes`, message)`
/// and the parser goes on with the next TAL.
pub(crate) fn parse(bytes: &[u8], timekeeping: bool, warn: &mut dyn FnMut(usize, String)) -> SignalTals {
    let mut out = SignalTals::default();
    let mut pos = 0;
    let mut first = true;
    while pos < bytes.len() {
        if bytes[pos] == 0 {
            pos += 1;
            continue;
        }
        let end = bytes[pos..].iter().position(|&b| b == 0).map(|e| pos + e);
        let tal = &bytes[pos..end.unwrap_or(bytes.len())];
        if end.is_none() {
            warn(pos, "TAL not terminated by a 0 byte before the end of the annotation signal".into());
        }
        parse_tal(tal, pos, timekeeping && first, &mut out, warn);
        first = false;
        pos = end.map_or(bytes.len(), |e| e + 1);
    }
    if timekeeping && out.timekeeping_ns.is_none() {
        warn(0, "no time-keeping TAL (record start time) in the first annotation signal".into());
    }
    out
}

fn parse_tal(tal: &[u8], at: usize, timekeeping: bool, out: &mut SignalTals, warn: &mut dyn FnMut(usize, String)) {
    let Some(head_end) = tal.iter().position(|&b| b == 0x14) else {
        warn(at, format!("TAL {} has no 0x14 after its onset: skipped", crate::error::show_bytes(short(tal))));
        return;
    };
    let head = &tal[..head_end];
    let (onset_raw, dur_raw) = match head.iter().position(|&b| b == 0x15) {
        Some(p) => (&head[..p], Some(&head[p + 1..])),
        None => (head, None),
    };
    let Some(onset_ns) = parse_seconds_ns(onset_raw) else {
        warn(at, format!("TAL onset {} is not a number of seconds: TAL skipped", crate::error::show_bytes(short(onset_raw))));
        return;
    };
    if !matches!(onset_raw.first(), Some(b'+' | b'-')) {
        warn(at, format!("TAL onset {} has no leading + or - (EDF+ requires one)", crate::error::show_bytes(onset_raw)));
    }
    let duration_ns = match dur_raw {
        None => None,
        Some(d) => match parse_seconds_ns(d) {
            Some(v) if v >= 0 && !matches!(d.first(), Some(b'+' | b'-')) => Some(v),
            _ => {
                warn(at, format!("TAL duration {} is not a number of seconds: read as no duration", crate::error::show_bytes(short(d))));
                None
            }
        },
    };
    let body = &tal[head_end + 1..];
    let mut texts: Vec<&[u8]> = body.split(|&b| b == 0x14).collect();
    match texts.last() {
        Some(&[]) => {
            texts.pop();
        }
        _ => warn(at, "TAL not terminated by 0x14 before its 0 byte".into()),
    }
    let mut skip_first = false;
    if timekeeping {
        out.timekeeping_ns = Some(onset_ns);
        skip_first = true;
        if duration_ns.is_some() {
            warn(at, "time-keeping TAL has a duration (ignored)".into());
        }
        match texts.first() {
            Some(&[]) => {}
            Some(_) => {
                // Not the empty marker: keep the text as an annotation rather than lose it.
                warn(at, "time-keeping TAL starts with a non-empty text (kept as an annotation)".into());
                skip_first = false;
            }
            None => {}
        }
    }
    for (k, t) in texts.iter().enumerate() {
        if (skip_first && k == 0) || t.is_empty() {
            continue;
        }
        let text = match std::str::from_utf8(t) {
            Ok(s) => s.to_string(),
            Err(_) => {
                warn(at, "annotation text is not valid UTF-8 (invalid bytes replaced by U+FFFD)".into());
                String::from_utf8_lossy(t).into_owned()
            }
        };
        let (text, channel) = split_channel(&text);
        out.annotations.push(RawAnnotation { onset_ns, duration_ns, text, channel });
    }
}

fn short(b: &[u8]) -> &[u8] {
    &b[..b.len().min(40)]
}

/// Format nanoseconds as decimal seconds with no trailing zeros: `+12.5`, `-0.25`, `3`.
pub(crate) fn format_seconds(ns: i64, sign: bool) -> String {
    let neg = ns < 0;
    let a = ns.unsigned_abs();
    let (s, f) = (a / 1_000_000_000, a % 1_000_000_000);
    let mut out = String::new();
    if neg {
        out.push('-');
    } else if sign {
        out.push('+');
    }
    out.push_str(&s.to_string());
    if f != 0 {
        let frac = format!("{f:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out
}

/// Seconds (f64) to integer nanoseconds, rounded.
pub(crate) fn to_ns(seconds: f64) -> i64 {
    (seconds * 1e9).round() as i64
}

/// The time-keeping TAL of a record starting `start_ns` after the header start time.
pub(crate) fn encode_timekeeping(start_ns: i64, out: &mut Vec<u8>) {
    out.extend_from_slice(format_seconds(start_ns, true).as_bytes());
    out.extend_from_slice(b"\x14\x14\x00");
}

/// One annotation as a TAL. Bytes that would break the TAL (0x00, 0x14, 0x15) are replaced by
/// spaces; the caller sanitises and warns before.
pub(crate) fn encode_annotation(onset_ns: i64, duration_ns: Option<i64>, text: &str, channel: Option<&str>, out: &mut Vec<u8>) {
    out.extend_from_slice(format_seconds(onset_ns, true).as_bytes());
    if let Some(d) = duration_ns {
        out.push(0x15);
        out.extend_from_slice(format_seconds(d.max(0), false).as_bytes());
    }
    out.push(0x14);
    let clean = |s: &str, out: &mut Vec<u8>| {
        out.extend(s.bytes().map(|b| if matches!(b, 0 | 0x14 | 0x15) { b' ' } else { b }));
    };
    clean(text, out);
    if let Some(c) = channel {
        out.extend_from_slice(b"@@");
        clean(c, out);
    }
    out.extend_from_slice(b"\x14\x00");
}

/// Length in bytes of [`encode_annotation`]'s output.
pub(crate) fn encoded_len(onset_ns: i64, duration_ns: Option<i64>, text: &str, channel: Option<&str>) -> usize {
    let mut v = Vec::new();
    encode_annotation(onset_ns, duration_ns, text, channel, &mut v);
    v.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(b: &[u8], tk: bool) -> (SignalTals, Vec<String>) {
        let mut w = Vec::new();
        let r = parse(b, tk, &mut |o, m| w.push(format!("{o}: {m}")));
        (r, w)
    }

    #[test]
    fn timekeeping_and_several_annotations() {
        let b = b"+1.5\x14\x14extra\x14\x00+2\x150.5\x14a\x14b@@Fp1\x14\x00+3\x14c\x14\x00\x00\x00\x00";
        let (r, w) = parse_all(b, true);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(r.timekeeping_ns, Some(1_500_000_000));
        let a = &r.annotations;
        assert_eq!(a.len(), 4);
        assert_eq!((a[0].onset_ns, a[0].duration_ns, a[0].text.as_str()), (1_500_000_000, None, "extra"));
        assert_eq!((a[1].onset_ns, a[1].duration_ns, a[1].text.as_str()), (2_000_000_000, Some(500_000_000), "a"));
        assert_eq!((a[2].text.as_str(), a[2].channel.as_deref()), ("b", Some("Fp1")));
        assert_eq!((a[3].onset_ns, a[3].text.as_str()), (3_000_000_000, "c"));
    }

    #[test]
    fn second_signal_has_no_timekeeping() {
        let (r, w) = parse_all(b"+4\x14\x14x\x14\x00", false);
        assert!(w.is_empty());
        assert_eq!(r.timekeeping_ns, None);
        assert_eq!(r.annotations.len(), 1);
        assert_eq!(r.annotations[0].text, "x");
    }

    #[test]
    fn malformed_tals_warn_and_continue() {
        let (r, w) = parse_all(b"+0\x14\x14\x00abc\x14t\x14\x00+5\x15x\x14u\x14\x00", true);
        assert_eq!(r.timekeeping_ns, Some(0));
        assert_eq!(r.annotations.len(), 1);
        assert_eq!(r.annotations[0].text, "u");
        assert_eq!(r.annotations[0].duration_ns, None);
        assert_eq!(
            w,
            vec![
                "5: TAL onset \"abc\" is not a number of seconds: TAL skipped".to_string(),
                "12: TAL duration \"x\" is not a number of seconds: read as no duration".to_string(),
            ]
        );
    }

    #[test]
    fn encode_roundtrip() {
        let mut v = Vec::new();
        encode_timekeeping(39_453_100, &mut v);
        encode_annotation(-250_000_000, Some(1_000_000_000), "Sz onset", Some("T3"), &mut v);
        encode_annotation(7_000_000_001, None, "漢字", None, &mut v);
        assert_eq!(&v[..13], b"+0.0394531\x14\x14\x00");
        let (r, w) = parse_all(&v, true);
        assert!(w.is_empty());
        assert_eq!(r.timekeeping_ns, Some(39_453_100));
        assert_eq!(
            r.annotations[0],
            RawAnnotation { onset_ns: -250_000_000, duration_ns: Some(1_000_000_000), text: "Sz onset".into(), channel: Some("T3".into()) }
        );
        assert_eq!(r.annotations[1].onset_ns, 7_000_000_001);
        assert_eq!(r.annotations[1].text, "漢字");
        assert_eq!(format_seconds(0, true), "+0");
        assert_eq!(format_seconds(-1_000_000_000, true), "-1");
    }
}
