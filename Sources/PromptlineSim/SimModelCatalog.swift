/// Model names as the real API knows them: `GET /v1/models` lists dated snapshot ids
/// (`claude-haiku-4-5-20251001`), and an alias (`claude-haiku-4-5`) resolves to one, both in
/// `GET /v1/models/{id}` and in a request (whose response names the dated id).
struct SimModelCatalog: Sendable, Equatable {
    /// The dated snapshot behind each alias the simulator knows.
    static let snapshots: [String: String] = [
        "claude-opus-4-1": "claude-opus-4-1-20250805",
        "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
        "claude-haiku-4-5": "claude-haiku-4-5-20251001",
        "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
    ]

    /// The ids listed, in order: each configured name's dated id (a name without a known snapshot
    /// is listed as it is).
    let ids: [String]

    /// A catalog of the configured names (aliases or ids).
    init(names: [String]) {
        var ids: [String] = []
        for name in names {
            let id = Self.snapshots[name] ?? name
            if !ids.contains(id) { ids.append(id) }
        }
        self.ids = ids
    }

    /// The id `name` stands for (itself when listed, its snapshot for an alias), or nil when unknown.
    func resolve(_ name: String) -> String? {
        if ids.contains(name) { return name }
        if let id = Self.snapshots[name], ids.contains(id) { return id }
        return nil
    }

    /// One page of the list: up to `limit` ids after `afterID` (or before `beforeID`), as the API pages.
    func page(limit: Int, afterID: String?, beforeID: String?) -> SimModelList {
        var slice = ids[...]
        if let afterID, let index = ids.firstIndex(of: afterID) {
            slice = ids[(index + 1)...]
        } else if let beforeID, let index = ids.firstIndex(of: beforeID) {
            slice = ids[..<index]
            let page = Array(slice.suffix(limit))
            var list = SimModelList(ids: page)
            list.hasMore = slice.count > page.count
            return list
        }
        let page = Array(slice.prefix(limit))
        var list = SimModelList(ids: page)
        list.hasMore = slice.count > page.count
        return list
    }
}
