/// `options` of `/v1/order/new` (at most one, §3.1).
public enum OrderOption: String, Sendable, Hashable, CaseIterable {
    case makerOrCancel = "maker-or-cancel"
    case immediateOrCancel = "immediate-or-cancel"
    case fillOrKill = "fill-or-kill"
}
