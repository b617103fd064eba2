// CastorEngine module: see Package.swift for its job.
