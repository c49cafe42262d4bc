/// The first cycle a depth-first search meets in a graph of integer vertices, as the path
/// `[w, …, w]`, or nil. Iterative: chains of 100k vertices must not overflow the stack.
/// Shared by the catalog compiler (Puppet's dependency-cycle error) and the engine (cycles
/// are rejected before anything runs).
public func firstCycle(_ adjacency: [[Int]]) -> [Int]? {
    var state = [UInt8](repeating: 0, count: adjacency.count) // 0 new, 1 on the stack, 2 done
    for root in adjacency.indices where state[root] == 0 {
        var stack: [(Int, Int)] = [(root, 0)]
        state[root] = 1
        while let (v, i) = stack.last {
            if i < adjacency[v].count {
                stack[stack.count - 1].1 += 1
                let w = adjacency[v][i]
                if state[w] == 1 {
                    let path = stack.map(\.0)
                    return Array(path[path.lastIndex(of: w)!...]) + [w]
                }
                if state[w] == 0 {
                    state[w] = 1
                    stack.append((w, 0))
                }
            } else {
                state[v] = 2
                stack.removeLast()
            }
        }
    }
    return nil
}
