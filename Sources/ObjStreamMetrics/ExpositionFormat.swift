/// The Prometheus text exposition format, version 0.0.4.
enum ExpositionFormat {
    static func append(_ family: any RenderableFamily, to out: inout String) {
        out += "# HELP \(family.name) \(escapeHelp(family.help))\n"
        out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
        for (values, metric) in family.snapshotSeries() {
            let pairs = zip(family.labelNames, values).map { "\($0)=\"\(escapeLabel($1))\"" }
            switch metric {
            case let counter as Counter:
                line(&out, family.name, pairs, String(counter.value))
            case let gauge as Gauge:
                line(&out, family.name, pairs, String(gauge.value))
            case let sample as ProcessMetrics.Sample:
                line(&out, family.name, pairs, formatDouble(sample.value))
            case let histogram as Histogram:
                let snap = histogram.snapshot
                for (bound, count) in zip(histogram.bounds, snap.cumulative) {
                    line(&out, family.name + "_bucket", pairs + ["le=\"\(formatDouble(bound))\""], String(count))
                }
                line(&out, family.name + "_bucket", pairs + ["le=\"+Inf\""], String(snap.cumulative.last ?? 0))
                line(&out, family.name + "_sum", pairs, formatDouble(snap.sum))
                line(&out, family.name + "_count", pairs, String(snap.count))
            default:
                preconditionFailure("unknown metric type in \(family.name)")
            }
        }
    }

    private static func line(_ out: inout String, _ name: String, _ pairs: [String], _ value: String) {
        out += name
        if !pairs.isEmpty { out += "{" + pairs.joined(separator: ",") + "}" }
        out += " " + value + "\n"
    }

    /// Backslash, double quote and line feed are escaped in label values.
    static func escapeLabel(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Backslash and line feed are escaped in help text.
    static func escapeHelp(_ s: String) -> String {
        s.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
    }

    /// Integers without a fraction, others in Swift's shortest round-trip form.
    static func formatDouble(_ v: Double) -> String {
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v.isNaN { return "NaN" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
