using BenchmarkDotNet.Running;
using ConnectedAccounts.Benchmarks;

// decision: BenchmarkDotNet over the access decision.
// storage-batch [--connection-string CS] [--entities N] [--repetitions N]: Table Storage batches vs single writes.
// disconnect-archive [--reports N] [--repetitions N] [--connection-string CS]: DisconnectionWorker.ArchiveReportsAsync vs raw batches.
// events-relay [--events N] [--repetitions N]: the outbox relay to the local AMQP broker vs to a storage queue.
// http <path-to-ConnectedAccounts.Functions.dll>: a loopback load run of an authorised call against a bare endpoint.
// worker-coldstart <published app folder> <published bare worker folder> [--runs N]: cold start under the fake Functions host.
return args.FirstOrDefault() switch
{
    "decision" => Run(() => BenchmarkRunner.Run<DecisionBenchmarks>(args: args[1..])),
    "storage-batch" => await StorageBatchBenchmark.RunAsync(args[1..]),
    "disconnect-archive" => await DisconnectArchiveBenchmark.RunAsync(args[1..]),
    "events-relay" => await EventsRelayBenchmark.RunAsync(args[1..]),
    "http" when args.Length >= 2 => await HttpLoadRun.RunAsync(args[1], args.Skip(2).ToArray()),
    "worker-coldstart" when args.Length >= 3 => await WorkerColdStart.RunAsync(args[1], args[2], args[3..]),
    _ => Usage(),
};

static int Run(Action run)
{
    run();
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: decision [BenchmarkDotNet args] | storage-batch [--connection-string CS] [--entities N] [--repetitions N] | disconnect-archive [--reports N] [--repetitions N] [--connection-string CS] | events-relay [--events N] [--repetitions N] | http <ConnectedAccounts.Functions.dll> [--seconds N] [--rounds N] [--concurrency N] | worker-coldstart <app folder> <bare worker folder> [--runs N]");
    return 2;
}
