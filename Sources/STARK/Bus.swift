import KoalaBear

/// A lookup bus: a channel on which tables (and the verifier, for public data) put tuples, sent
/// with positive and received with negative multiplicity. Across every table of a machine, each
/// bus must balance: every tuple received as often as it is sent. The id enters each tuple's
/// fingerprint (id + Σ β^(j+1)·v_j), so tuples on different buses never cancel.
public struct Bus: Hashable, Sendable, CustomStringConvertible {
    /// The id bound into fingerprints (below 2^30).
    public let id: Int
    /// A name for diagnostics.
    public let name: String

    public init(_ id: Int, _ name: String) {
        self.id = id
        self.name = name
    }

    public var description: String { "\(name) (bus \(id))" }
}

/// A tuple the verifier puts on a bus itself, from data it is given (public input, output,
/// the program image): as Cairo does with public memory, the proof then binds exactly these
/// values, since the machine's buses balance only with them.
public struct PublicInteraction: Sendable, Equatable {
    public var bus: Bus
    public var values: [KoalaBear]
    /// How many copies, as a field element.
    public var multiplicity: KoalaBear
    /// True to send (add), false to receive (subtract).
    public var isSend: Bool

    public init(bus: Bus, values: [KoalaBear], multiplicity: KoalaBear = .one, isSend: Bool) {
        self.bus = bus
        self.values = values
        self.multiplicity = multiplicity
        self.isSend = isSend
    }

    /// Σ ±m/(α − (bus + Σ β^(j+1)·v_j)) over `interactions`: their share of the LogUp sum (the
    /// same terms the tables' running sums accumulate); nil when a denominator is zero.
    static func logUpSum(_ interactions: [PublicInteraction], alpha: KoalaBearExt, beta: KoalaBearExt) -> KoalaBearExt? {
        var total = KoalaBearExt.zero
        for i in interactions {
            var fp = KoalaBearExt(KoalaBear(UInt32(i.bus.id)))
            var bp = beta
            for v in i.values {
                fp += bp * v
                bp *= beta
            }
            guard let inv = (alpha - fp).inverse else { return nil }
            let t = inv * i.multiplicity
            total += i.isSend ? t : -t
        }
        return total
    }
}
