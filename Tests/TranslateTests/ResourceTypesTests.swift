import XCTest
@testable import Translate

/// The hash-free parameter checks say what the sets say.
final class ResourceTypesTests: XCTestCase {
    func testParameterChecksAgreeWithTheSets() {
        var names = ResourceTypes.metaparameters.union(ResourceTypes.relationshipParameters)
        for info in ResourceTypes.builtin.values { names.formUnion(info.attributes) }
        names.formUnion(["", "Require", "requires", "tags", "notify ", "stag", "x"])
        XCTAssertGreaterThan(names.count, 40)
        for name in names {
            XCTAssertEqual(ResourceTypes.isMetaparameter(name), ResourceTypes.metaparameters.contains(name), name)
            XCTAssertEqual(ResourceTypes.isRelationshipParameter(name), ResourceTypes.relationshipParameters.contains(name), name)
        }
    }
}
