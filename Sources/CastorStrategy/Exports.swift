// The strategy API speaks the domain vocabulary of CastorCore (`Side`, `OrderOption`,
// `ExactDecimal`, ...); re-exporting it means a plug-in that imports CastorStrategy sees
// those types without naming CastorCore itself.
@_exported import CastorCore
