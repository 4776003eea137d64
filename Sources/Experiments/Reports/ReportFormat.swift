import Foundation

/// Number and text formatting shared by the tables and the HTML/SVG report.
package enum ReportFormat {
    /// `text` safe inside XML/HTML text and attribute values.
    package static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A pixel coordinate with one decimal, which is all an SVG of a few hundred pixels needs.
    static func pixel(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    /// A value with up to `digits` significant digits, without trailing zeros; large values in
    /// thousands (k), millions (M) or billions (G), so tick labels stay short.
    package static func compact(_ value: Double, digits: Int = 4) -> String {
        guard value.isFinite else { return value.isNaN ? "–" : (value > 0 ? "∞" : "−∞") }
        let magnitude = abs(value)
        for (threshold, scale, suffix) in [(1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")] where magnitude >= threshold {
            return significant(value / scale, digits: digits) + suffix
        }
        return significant(value, digits: digits)
    }

    /// `value` with at most `digits` significant digits, in plain notation down to 1e-4.
    package static func significant(_ value: Double, digits: Int) -> String {
        guard value != 0 else { return "0" }
        guard value.isFinite else { return compact(value) }
        if abs(value) < 1e-4 {  // 1e-5, 2.5e-7: the mantissa trimmed, the exponent without padding
            let exponent = Int(log10(abs(value)).rounded(.down))
            var mantissa = significant(value / pow(10, Double(exponent)), digits: digits)
            if mantissa.hasPrefix("10") && !mantissa.hasPrefix("10.") { mantissa = "1" }  // 9.99…e-6 rounded up
            return mantissa + "e\(mantissa == "1" && abs(value / pow(10, Double(exponent))) >= 9.5 ? exponent + 1 : exponent)"
        }
        let decimals = max(0, digits - 1 - Int(log10(abs(value)).rounded(.down)))
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// A scenario value as people read it: numbers to six significant digits (a Float's 0.10000000149011612
    /// is 0.1), true/false, strings as they are, lists and objects inline.
    package static func human(_ value: Any) -> String {
        if type(of: value) == Bool.self || String(describing: type(of: value)).contains("Bool") {
            return (value as? Bool) == true ? "true" : "false"
        }
        switch value {
        case let text as String: return text
        case is NSNull: return "null"
        case let list as [Any]: return "[" + list.map(human).joined(separator: ", ") + "]"
        case let object as [String: Any]:
            return "{" + object.keys.sorted().map { "\($0): \(human(object[$0]!))" }.joined(separator: ", ") + "}"
        case let number as NSNumber:
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 1e15 { return String(Int(double)) }
            return significant(double, digits: 6)
        default: return "\(value)"
        }
    }

    /// ε as privacy budgets are quoted: two decimals (2.00, not 1.9999893455624957), three significant
    /// digits below 0.1.
    package static func epsilon(_ value: Double) -> String {
        guard value.isFinite else { return "∞" }
        return abs(value) >= 0.1 ? String(format: "%.2f", value) : significant(value, digits: 3)
    }

    /// A byte count with a binary-free decimal unit (kB, MB, GB), as network figures are quoted.
    package static func bytes(_ value: Double) -> String {
        for (scale, unit) in [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")] where abs(value) >= scale {
            return significant(value / scale, digits: 3) + " " + unit
        }
        return significant(value, digits: 3) + " B"
    }
}
