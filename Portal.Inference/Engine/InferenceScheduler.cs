using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Inference.Engine;

/// <summary>
/// The one thread that drives llama.cpp: it reads commands (submit, attach, detach) from a channel
/// and, while any model has work, runs one decode step per model after the other. A cancelled
/// conversation is freed at the start of the next step.
/// </summary>
internal sealed partial class InferenceScheduler(ILogger<InferenceScheduler> logger) : BackgroundService
{
    private readonly Channel<Command> commands = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<ModelRunner> runners = [];
    private volatile bool running;
    private volatile ModelRunner[] attached = [];

    public bool IsRunning => running;

    public void Attach(ModelRunner runner) => Write(new AttachCommand(runner));

    /// <summary>Cancels the runner's conversations and frees its model; completes when done.</summary>
    public Task DetachAsync(ModelRunner runner)
    {
        runner.IsDetached = true;
        runner.AbortAll();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Write(new DetachCommand(runner, done)))
        {
            runner.Dispose();
            done.TrySetResult();
        }

        return done.Task;
    }

    public void Submit(ModelRunner runner, Conversation conversation)
    {
        if (!Write(new SubmitCommand(runner, conversation)))
        {
            conversation.Complete(FinishReason.Cancelled, "The inference engine is not running.");
        }
    }

    /// <summary>Wakes the loop so it notices a cancellation.</summary>
    public void Wake() => commands.Writer.TryWrite(WakeCommand.Instance);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        running = true;
        return Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private bool Write(Command command) => running && commands.Writer.TryWrite(command);

    private void Run(CancellationToken stoppingToken)
    {
        using var abortOnStop = stoppingToken.Register(() => Array.ForEach(attached, r => r.AbortAll()));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                while (commands.Reader.TryRead(out var command))
                {
                    Apply(command);
                }

                var worked = false;
                foreach (var runner in runners)
                {
                    worked |= runner.Step();
                }

                if (!worked && !Idle(stoppingToken))
                {
                    break;
                }
            }
        }
        finally
        {
            running = false;
            Shutdown();
        }
    }

    /// <summary>Blocks this thread until a command arrives; false when stopping.</summary>
    private bool Idle(CancellationToken stoppingToken)
    {
        try
        {
            return commands.Reader.WaitToReadAsync(stoppingToken).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Apply(Command command)
    {
        switch (command)
        {
            case AttachCommand(var runner):
                runners.Add(runner);
                attached = [.. runners];
                LogAttached(logger, runner.Info.ModelId, runner.Slots, runner.ContextSize);
                break;
            case DetachCommand(var runner, var done):
                runners.Remove(runner);
                attached = [.. runners];
                runner.Dispose();
                done.TrySetResult();
                LogDetached(logger, runner.Info.ModelId);
                break;
            case SubmitCommand(var runner, var conversation) when runner.IsDetached:
                conversation.Complete(FinishReason.Cancelled, $"The model '{runner.Info.ModelId}' was unloaded.");
                break;
            case SubmitCommand(var runner, var conversation):
                runner.Enqueue(conversation);
                break;
        }
    }

    private void Shutdown()
    {
        while (commands.Reader.TryRead(out var command))
        {
            switch (command)
            {
                case SubmitCommand(_, var conversation):
                    conversation.Complete(FinishReason.Cancelled, "The inference engine stopped.");
                    break;
                case AttachCommand(var runner):
                    runners.Add(runner);
                    break;
                case DetachCommand(var runner, var done):
                    runners.Remove(runner);
                    runner.Dispose();
                    done.TrySetResult();
                    break;
            }
        }

        foreach (var runner in runners)
        {
            runner.Dispose();
        }

        runners.Clear();
        attached = [];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId} ready: {Slots} slots of {ContextSize} tokens")]
    private static partial void LogAttached(ILogger logger, string modelId, int slots, int contextSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId} unloaded")]
    private static partial void LogDetached(ILogger logger, string modelId);

    private abstract record Command;

    private sealed record AttachCommand(ModelRunner Runner) : Command;

    private sealed record DetachCommand(ModelRunner Runner, TaskCompletionSource Done) : Command;

    private sealed record SubmitCommand(ModelRunner Runner, Conversation Conversation) : Command;

    private sealed record WakeCommand : Command
    {
        public static WakeCommand Instance { get; } = new();
    }
}
