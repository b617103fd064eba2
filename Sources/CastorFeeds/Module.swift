// CastorFeeds module: see Package.swift for its job.
