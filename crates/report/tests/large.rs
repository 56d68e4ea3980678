//! A 72-hour recording with 1,440 seizures gives a report under 10 MB with every section.
//! (How fast it opens is measured in the browser test, `tests/browser`.)

mod common;

use eimfs_report::{RenderOptions, render};

#[test]
fn seventy_two_hours_with_1440_seizures_stays_under_10_mb() {
    let data = common::synthetic::report(72.0, 1440, 7);
    assert_eq!(data.seizures.len(), 1440);
    assert!(data.seizures.iter().filter(|s| s.migrates()).count() > 500);
    assert!(data.seizures.iter().any(|s| !s.overlaps.is_empty()));
    assert_eq!(data.examples.len(), 3);
    let html = render(&data, &RenderOptions::default()).unwrap();
    let mb = html.len() as f64 / 1e6;
    eprintln!("72 h, 1,440 seizures: {mb:.2} MB");
    assert!(html.len() < 10_000_000, "{mb:.2} MB");
    // Every section with its figure, every seizure in the table.
    for id in ["recording", "timeline", "burden", "migration", "examples", "seizures"] {
        assert!(html.contains(&format!(r#"<section id="{id}">"#)), "section {id}");
    }
    for class in ["fig timeline", "fig burden", "fig head onsets", "fig regionbars", "fig head path", "fig traces"] {
        assert!(html.contains(&format!(r#"class="{class}""#)), "figure {class}");
    }
    assert_eq!(html.matches(r#"<tr id="sz"#).count(), 1440);
    assert_eq!(html.matches(r#"class="fig traces""#).count(), 3);
    assert!(
        !html.contains("<script") && !html.contains("http://")
            || html.matches("http://").count() == html.matches("http://www.w3.org/2000/svg").count()
    );
    assert!(!html.contains("https://"));
}
