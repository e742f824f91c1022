extension Canonicalizer {
    /// Appends `number` spelled as ECMAScript's `Number.prototype.toString` spells it
    /// (RFC 8785 section 3.2.2.3).
    ///
    /// The digits are the shortest that round-trip, which Swift's `Double.description` also
    /// produces; only their layout differs: `-0` is `0`, integers below 10^21 have no exponent
    /// and no `.0`, and exponents are written `e+21` and `e-7`. JSON cannot hold NaN or an
    /// infinity, so neither occurs.
    static func appendNumber(_ number: Double, to bytes: inout [UInt8]) {
        precondition(number.isFinite, "JSON numbers are finite")
        if number == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        // Below 2^53 every integer is a double, so its decimal form is its shortest form.
        if number.magnitude < 0x1p53, number == number.rounded(.towardZero) {
            bytes.append(contentsOf: String(Int64(number)).utf8)
            return
        }
        let (isNegative, digits, pointPosition) = Self.shortestDigits(of: number)
        if isNegative {
            bytes.append(UInt8(ascii: "-"))
        }
        Self.appendECMAScriptLayout(digits: digits, pointPosition: pointPosition, to: &bytes)
    }

    /// The shortest round-trip decimal digits of `number`, with no leading or trailing zero,
    /// and the position `n` of the decimal point: the value is `0.d1d2…dk × 10^n`.
    private static func shortestDigits(of number: Double) -> (isNegative: Bool, digits: [UInt8], pointPosition: Int) {
        var isNegative = false
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var integerDigits: Int?
        var exponent = 0
        var exponentIsNegative = false
        var inExponent = false
        for byte in number.description.utf8 {
            switch byte {
            case UInt8(ascii: "-") where inExponent:
                exponentIsNegative = true
            case UInt8(ascii: "-"):
                isNegative = true
            case UInt8(ascii: "+"):
                break
            case UInt8(ascii: "."):
                integerDigits = digits.count
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                integerDigits = integerDigits ?? digits.count
                inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9") where inExponent:
                exponent = exponent * 10 + Int(byte &- UInt8(ascii: "0"))
            default:
                digits.append(byte)
            }
        }
        var pointPosition = (integerDigits ?? digits.count) + (exponentIsNegative ? -exponent : exponent)
        let leadingZeros = digits.prefix { $0 == UInt8(ascii: "0") }.count
        digits.removeFirst(leadingZeros)
        pointPosition -= leadingZeros
        while digits.last == UInt8(ascii: "0") {
            digits.removeLast()
        }
        return (isNegative, digits, pointPosition)
    }

    /// Lays out `0.digits × 10^pointPosition` by the steps of ECMAScript's Number::toString.
    private static func appendECMAScriptLayout(digits: [UInt8], pointPosition n: Int, to bytes: inout [UInt8]) {
        let k = digits.count
        if k <= n, n <= 21 {
            bytes.append(contentsOf: digits)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n, n <= 21 {
            bytes.append(contentsOf: digits[..<n])
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: digits[n...])
        } else if -6 < n, n <= 0 {
            bytes.append(contentsOf: "0.".utf8)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            bytes.append(contentsOf: digits)
        } else {
            bytes.append(digits[0])
            if k > 1 {
                bytes.append(UInt8(ascii: "."))
                bytes.append(contentsOf: digits[1...])
            }
            let exponent = n - 1
            bytes.append(UInt8(ascii: "e"))
            bytes.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            bytes.append(contentsOf: String(exponent.magnitude).utf8)
        }
    }
}
