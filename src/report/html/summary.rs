//! The summary that opens the page: key figures, then the grade distribution of the targets and
//! the days remaining on every endpoint's leaf certificates as inline SVG bar charts, each with
//! labelled axes, its counts as text and an accessible title and description.

use super::*;

/// What the summary counts.
pub(super) struct Counts {
    /// Targets per grade, in [`GRADE_LOOKS`] order.
    pub grades: [usize; 8],
    /// Leaf certificates per [`EXPIRY`] bucket.
    pub expiry: [usize; 7],
    pub endpoints: usize,
}

pub(super) fn count(report: &Report) -> Counts {
    let mut c = Counts {
        grades: [0; 8],
        expiry: [0; 7],
        endpoints: 0,
    };
    for t in &report.targets {
        c.grades[look(t.grade).rank] += 1;
        for e in &t.endpoints {
            c.endpoints += 1;
            for leaf in leaves(e) {
                c.expiry[expiry_bucket(leaf.days_remaining)] += 1;
            }
        }
    }
    c
}

pub(super) fn render(out: &mut String, report: &Report) {
    let c = count(report);
    let targets = report.targets.len();
    let good = c.grades[0] + c.grades[1];
    let failing = c.grades[5];
    let soon: usize = c.expiry[..4].iter().sum();
    let certs: usize = c.expiry.iter().sum();
    out.push_str("<section id=\"summary\" aria-labelledby=\"summary-h\"><h2 id=\"summary-h\">Summary</h2>\n<div class=\"kpis\">");
    tile(
        out,
        "k-n",
        &num(targets),
        "targets",
        &format!("{} endpoint{}", num(c.endpoints), plural(c.endpoints)),
    );
    tile(
        out,
        "k-good",
        &num(good),
        "graded A or A+",
        &percent(good, targets),
    );
    tile(
        out,
        "k-bad",
        &num(failing),
        "graded F",
        &percent(failing, targets),
    );
    tile(
        out,
        "k-cert",
        &num(soon),
        "certificates expired or expiring within 30 days",
        &format!("of {} leaf certificate{}", num(certs), plural(certs)),
    );
    out.push_str("</div>\n<div class=\"charts\">\n");
    let grade_bars: Vec<Bar> = GRADE_LOOKS
        .iter()
        .zip(c.grades)
        .map(|(&(_, key, label, _), n)| Bar {
            label,
            class: format!("g-{key}"),
            count: n,
            filter: Some(key),
        })
        .collect();
    bar_chart(
        out,
        &Chart {
            id: "c-grades",
            title: "Grade distribution",
            x_axis: "grade",
            y_axis: "targets",
            unit: ("target", "targets"),
            note: "error: nothing could be tested · not graded: the domain accepts no mail (null MX).<span class=\"js\"> Click a bar to filter the table.</span>",
        },
        &grade_bars,
    );
    let expiry_bars: Vec<Bar> = EXPIRY
        .iter()
        .zip(c.expiry)
        .map(|((label, class, _), n)| Bar {
            label,
            class: (*class).to_string(),
            count: n,
            filter: None,
        })
        .collect();
    bar_chart(
        out,
        &Chart {
            id: "c-expiry",
            title: "Certificate expiry",
            x_axis: "days remaining",
            y_axis: "certificates",
            unit: ("certificate", "certificates"),
            note: "Leaf certificates of every endpoint (each distinct certificate an endpoint presents), by days until they expire.",
        },
        &expiry_bars,
    );
    out.push_str("</div>\n</section>\n");
}

fn tile(out: &mut String, class: &str, value: &str, what: &str, sub: &str) {
    put!(
        out,
        "<div class=\"kpi {class}\"><b>{value}</b><span>{what}</span><small>{sub}</small></div>"
    );
}

fn percent(n: usize, of: usize) -> String {
    if of == 0 {
        return "no targets".into();
    }
    format!("{:.0} % of targets", n as f64 * 100.0 / of as f64)
}

struct Bar {
    label: &'static str,
    /// CSS class giving the bar its colour.
    class: String,
    count: usize,
    /// The grade-filter value a click on the bar selects.
    filter: Option<&'static str>,
}

struct Chart {
    id: &'static str,
    title: &'static str,
    x_axis: &'static str,
    y_axis: &'static str,
    /// What one count is, singular and plural.
    unit: (&'static str, &'static str),
    note: &'static str,
}

const W: f64 = 560.0;
const H: f64 = 290.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 62.0;

/// A vertical bar chart: a y axis with round ticks and grid lines, one bar per category with its
/// count above it, the category names below, both axes titled.
fn bar_chart(out: &mut String, chart: &Chart, bars: &[Bar]) {
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0);
    let (step, top) = scale(max);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let unit = |n: usize| if n == 1 { chart.unit.0 } else { chart.unit.1 };
    let desc: Vec<String> = bars
        .iter()
        .map(|b| format!("{}: {}", esc(b.label), num(b.count)))
        .collect();
    put!(
        out,
        "<figure class=\"chart\"><svg viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{0}-t {0}-d\">\
         <title id=\"{0}-t\">{1}</title><desc id=\"{0}-d\">{2} per {3}: {4}</desc>",
        chart.id,
        chart.title,
        chart.unit.1,
        chart.x_axis,
        desc.join(", ")
    );
    out.push_str("<g class=\"axis\">");
    let mut tick = 0usize;
    loop {
        let y = TOP + plot_h - tick as f64 / top as f64 * plot_h;
        put!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"{}/><text x=\"{:.1}\" y=\"{:.1}\" class=\"yt\">{}</text>",
            W - RIGHT,
            if tick == 0 { " class=\"base\"" } else { "" },
            LEFT - 6.0,
            y + 4.0,
            num(tick)
        );
        match tick.checked_add(step) {
            Some(next) if next <= top => tick = next,
            _ => break,
        }
    }
    put!(
        out,
        "<text class=\"at\" transform=\"translate(14 {:.1}) rotate(-90)\">{}</text>\
         <text class=\"at\" x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
        TOP + plot_h / 2.0,
        chart.y_axis,
        LEFT + plot_w / 2.0,
        H - 8.0,
        chart.x_axis
    );
    let slot = plot_w / bars.len().max(1) as f64;
    let bar_w = slot * 0.64;
    for (i, b) in bars.iter().enumerate() {
        let cx = LEFT + slot * (i as f64 + 0.5);
        let h = b.count as f64 / top as f64 * plot_h;
        let y = TOP + plot_h - h;
        let filter = b
            .filter
            .map(|f| format!(" data-g=\"{f}\""))
            .unwrap_or_default();
        put!(
            out,
            "<g class=\"bar {}\"{filter}><title>{}: {} {}</title>\
             <rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" rx=\"3\"/>\
             <text class=\"n{}\" x=\"{cx:.1}\" y=\"{:.1}\">{}</text>",
            b.class,
            esc(b.label),
            num(b.count),
            unit(b.count),
            cx - bar_w / 2.0,
            if b.count == 0 { " zero" } else { "" },
            y - 6.0,
            num(b.count)
        );
        // Two-word labels take two lines so that eight categories fit side by side.
        let label_y = TOP + plot_h + 17.0;
        match b.label.split_once(' ') {
            Some((a, rest)) if b.label.len() > 6 => put!(
                out,
                "<text class=\"xl\" x=\"{cx:.1}\" y=\"{label_y:.1}\">{}<tspan x=\"{cx:.1}\" dy=\"13\">{}</tspan></text>",
                esc(a),
                esc(rest)
            ),
            _ => put!(
                out,
                "<text class=\"xl\" x=\"{cx:.1}\" y=\"{label_y:.1}\">{}</text>",
                esc(b.label)
            ),
        }
        out.push_str("</g>");
    }
    put!(
        out,
        "</svg><figcaption><b>{}</b> {}</figcaption></figure>\n",
        chart.title,
        chart.note
    );
}

/// A round tick step (1, 2 or 5 times a power of ten) giving at most five intervals up to
/// `max`, and the top of the axis: the first tick at or above `max` (at least one step).
fn scale(max: usize) -> (usize, usize) {
    let mut step = 1usize;
    'search: for magnitude in (0..=18).map(|p| 10usize.saturating_pow(p)) {
        for m in [1, 2, 5] {
            step = magnitude.saturating_mul(m);
            if step.saturating_mul(5) >= max {
                break 'search;
            }
        }
    }
    let top = max.div_ceil(step).max(1).saturating_mul(step);
    (step, top)
}

#[cfg(test)]
mod tests {
    use super::scale;

    #[test]
    fn counts_have_thousands_separators() {
        use super::num;
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(1_234_567), "1,234,567");
    }

    #[test]
    fn axis_ticks_are_round_and_cover_the_largest_bar() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(1), (1, 1));
        assert_eq!(scale(6), (2, 6));
        assert_eq!(scale(7), (2, 8));
        assert_eq!(scale(23), (5, 25));
        assert_eq!(scale(10_000), (2000, 10_000));
        assert_eq!(scale(10_001), (5000, 15_000));
        assert!(scale(usize::MAX).1 >= usize::MAX / 2);
    }
}
