import Logging
import NIOCore
import NIOPosix
import Testing

@testable import Promptline

@Suite struct EventLoopTaskExecutorTests {
    @Test func tasksPreferringTheExecutorAndTheirChildrenRunOnItsEventLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let (parent, children) = await withTaskExecutorPreference(executor) {
            let parent = loop.inEventLoop
            let children = await withTaskGroup(of: Bool.self) { tasks in
                for _ in 0..<8 { tasks.addTask { loop.inEventLoop } }
                return await tasks.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            return (parent, children)
        }
        #expect(parent)
        #expect(children == 8)
        #expect(!loop.inEventLoop)
        try await group.shutdownGracefully()
    }

    @Test func aTaskGoesOnOnTheLoopAfterAwaitingWorkElsewhere() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let elsewhere = DispatchQueueExecutor(label: "elsewhere")
        let onLoop = await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) {
            await withCheckedContinuation { continuation in elsewhere.execute { continuation.resume() } }
            return loop.inEventLoop
        }
        #expect(onLoop)
        try await group.shutdownGracefully()
    }

    @Test func theHTTPClientOffersItsEventLoopAsTheJobsExecutor() async {
        let client = MessagesClient(
            configuration: APIConfiguration(baseURL: "http://127.0.0.1:9", apiKey: "k"), concurrency: 1, connectTimeout: .seconds(1),
            logger: Logger(label: "test"))
        #expect(client.taskExecutor != nil)
        await client.shutdown()
    }
}
