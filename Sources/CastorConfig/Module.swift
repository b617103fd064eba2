// CastorConfig module: see Package.swift for its job.
