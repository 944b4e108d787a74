/// Where skimming a clause stops: at one of these keywords at parenthesis depth 0 (besides an unmatched
/// `)`, a `;` and the end of the text, which always stop it).
enum ClauseEnd {
    /// The select list: `FROM` or a set operator.
    case selectList
    /// The rest of a query block after its FROM list: a set operator.
    case queryTail
    /// `ON expr` of a join: the next join, clause or list item.
    case joinCondition
    /// Everything to the end of the statement.
    case statement
    /// CREATE/ALTER TABLE definitions and options: also reads `REFERENCES tbl`, `UNION = (…)`,
    /// `RENAME [TO|AS] tbl`, `WITH TABLE tbl`.
    case tableDefinition
    /// A single-table UPDATE or DELETE: stops at `LIMIT` to check it.
    case beforeLimit
    /// A LOCK TABLES or CACHE INDEX item: the next item.
    case listItem

    @inline(__always)
    var stopsAtComma: Bool {
        switch self {
        case .joinCondition, .listItem: true
        default: false
        }
    }

    @inline(__always)
    func stops(at keyword: Keyword) -> Bool {
        switch self {
        case .selectList:
            switch keyword {
            case .from, .union, .intersect, .except: return true
            default: return false
            }
        case .queryTail:
            switch keyword {
            case .union, .intersect, .except: return true
            default: return false
            }
        case .joinCondition:
            switch keyword {
            case .join, .inner, .cross, .straightJoin, .left, .right, .natural, .on, .using, .where, .group, .having,
                .window, .order, .limit, .union, .intersect, .except, .for, .lock, .into, .set, .procedure:
                return true
            default:
                return false
            }
        case .beforeLimit:
            return keyword == .limit
        case .listItem:
            return keyword == .in
        case .statement, .tableDefinition:
            return false
        }
    }
}
