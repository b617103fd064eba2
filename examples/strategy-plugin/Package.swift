// swift-tools-version:6.2
import Foundation
import PackageDescription

// A third-party strategy plug-in for Castor, built as a shared library.
//
// SwiftPM names a path dependency after its directory, not its manifest's `name`, so the
// Castor checkout's directory name is computed here rather than assuming "castor".
let castorPath = "../.."
let castorIdentity = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .appendingPathComponent(castorPath)
    .standardizedFileURL
    .lastPathComponent
    .lowercased()

let package = Package(
    name: "ExamplePlugin",
    platforms: [.macOS(.v15)],
    products: [
        // `.dynamic` so the result is libExamplePlugin.so, loadable with dlopen.
        .library(name: "ExamplePlugin", type: .dynamic, targets: ["ExamplePlugin"]),
    ],
    dependencies: [
        .package(path: castorPath),
    ],
    targets: [
        .target(
            name: "ExamplePlugin",
            dependencies: [.product(name: "CastorStrategy", package: castorIdentity)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
