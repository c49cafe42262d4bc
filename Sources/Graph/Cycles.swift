/// Each vertex's successors, all in one array: vertex v's are
/// `targets[offsets[v]..<offsets[v + 1]]`, in the order the edges were given. Built in two
/// passes over the edges (count, then place), not as a list per vertex: a graph of 10k
/// resources would otherwise allocate 10k small arrays.
public struct Adjacency {
    public let offsets: [Int]
    public let targets: [Int]

    /// `edges(add)` calls `add(from, to)` for every edge, the same ones in the same order both
    /// times it is called.
    public init(vertices n: Int, edges: ((Int, Int) -> Void) -> Void) {
        var offsets = [Int](repeating: 0, count: n + 1)
        edges { from, _ in offsets[from + 1] += 1 }
        for v in 0..<n { offsets[v + 1] += offsets[v] }
        var next = offsets
        var targets = [Int](repeating: 0, count: offsets[n])
        edges { from, to in
            targets[next[from]] = to
            next[from] += 1
        }
        self.offsets = offsets
        self.targets = targets
    }

    public var count: Int { offsets.count - 1 }

    public func successors(_ v: Int) -> ArraySlice<Int> { targets[offsets[v]..<offsets[v + 1]] }
}

/// The first cycle a depth-first search meets in a graph of integer vertices, as the path
/// `[w, …, w]`, or nil. Iterative: chains of 100k vertices must not overflow the stack.
/// Shared by the catalog compiler (Puppet's dependency-cycle error) and the engine (cycles
/// are rejected before anything runs).
public func firstCycle(_ graph: Adjacency) -> [Int]? {
    let (offsets, targets) = (graph.offsets, graph.targets)
    var state = [UInt8](repeating: 0, count: graph.count) // 0 new, 1 on the stack, 2 done
    var stack: [(vertex: Int, next: Int)] = []
    for root in 0..<graph.count where state[root] == 0 {
        stack.append((root, offsets[root]))
        state[root] = 1
        while let (v, i) = stack.last {
            if i < offsets[v + 1] {
                stack[stack.count - 1].next += 1
                let w = targets[i]
                if state[w] == 1 {
                    let path = stack.map(\.vertex)
                    return Array(path[path.lastIndex(of: w)!...]) + [w]
                }
                if state[w] == 0 {
                    state[w] = 1
                    stack.append((w, offsets[w]))
                }
            } else {
                state[v] = 2
                stack.removeLast()
            }
        }
    }
    return nil
}

/// `firstCycle` of a graph given as a list of successors per vertex.
public func firstCycle(_ adjacency: [[Int]]) -> [Int]? {
    firstCycle(Adjacency(vertices: adjacency.count) { add in
        for (v, successors) in adjacency.enumerated() { for w in successors { add(v, w) } }
    })
}
