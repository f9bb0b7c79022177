using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Inference.Engine;

/// <summary>
/// The one thread that drives llama.cpp: it reads commands (submit, attach, detach) from a channel
/// and, while any model has work, runs one decode step per model after the other. A cancelled
/// conversation is freed at the start of the next step.
/// </summary>
/// <remarks>
/// The channel accepts commands from construction on, so a model attached before the loop thread
/// runs is simply buffered. Stopping first completes the channel's writer (later commands are
/// refused at once, never lost), then the loop drains what was written and fails every request it
/// did not finish. Nothing submitted can be left waiting. This is a plain hosted service, not a
/// BackgroundService: since .NET 10 that one starts ExecuteAsync on the thread pool after StartAsync
/// returned, or not at all when stopped first.
/// </remarks>
internal sealed partial class InferenceScheduler(ILogger<InferenceScheduler> logger) : IHostedService, IDisposable
{
    private const int Created = 0;
    private const int Started = 1;
    private const int Stopped = 2;

    private readonly Channel<Command> commands = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<ModelRunner> runners = [];
    private volatile ModelRunner[] attached = [];
    private int state;

    /// <summary>Hands a loaded model to the loop; false (the caller frees it) once stopping has begun.</summary>
    public bool Attach(ModelRunner runner) => commands.Writer.TryWrite(new AttachCommand(runner));

    /// <summary>Cancels the runner's conversations and frees its model; completes when done.</summary>
    public Task DetachAsync(ModelRunner runner)
    {
        runner.IsDetached = true;
        runner.AbortAll();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Refused only while stopping: the shutdown frees every runner the loop was given.
        return commands.Writer.TryWrite(new DetachCommand(runner, done)) ? done.Task : stopped.Task;
    }

    public void Submit(ModelRunner runner, Conversation conversation)
    {
        if (!commands.Writer.TryWrite(new SubmitCommand(runner, conversation)))
        {
            conversation.Complete(FinishReason.Cancelled, "The inference engine stopped.");
        }
    }

    /// <summary>Wakes the loop so it notices a cancellation.</summary>
    public void Wake() => commands.Writer.TryWrite(WakeCommand.Instance);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref state, Started, Created) == Created)
        {
            new Thread(Run) { IsBackground = true, Name = "llama.cpp scheduler" }.Start();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        BeginStop();
        return stopped.Task.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        BeginStop();
        stopping.Dispose();
    }

    private void BeginStop()
    {
        var previous = Interlocked.Exchange(ref state, Stopped);
        if (previous == Stopped)
        {
            return;
        }

        commands.Writer.TryComplete();
        if (previous == Created)
        {
            // The loop never ran: drain here, on the caller's thread.
            Shutdown();
            return;
        }

        stopping.Cancel();
    }

    private void Run()
    {
        using var abortOnStop = stopping.Token.Register(() => Array.ForEach(attached, r => r.AbortAll()));
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                while (commands.Reader.TryRead(out var command))
                {
                    Apply(command);
                }

                var worked = false;
                foreach (var runner in runners)
                {
                    worked |= StepIsolated(runner);
                }

                if (!worked && !Idle())
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            LogLoopFailed(logger, ex);
        }
        finally
        {
            commands.Writer.TryComplete();
            Shutdown();
        }
    }

    /// <summary>One step of one model; an exception fails only the conversations of that step.</summary>
    private bool StepIsolated(ModelRunner runner)
    {
        try
        {
            return runner.Step();
        }
        catch (Exception ex)
        {
            LogStepFailed(logger, runner.Info.ModelId, ex);
            runner.FailBatch($"The generation failed: {ex.Message}");
            return true;
        }
    }

    /// <summary>Blocks this thread until a command arrives; false when the channel is done or stopping.</summary>
    private bool Idle()
    {
        try
        {
            return commands.Reader.WaitToReadAsync(stopping.Token).AsTask().GetAwaiter().GetResult();
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

    /// <summary>
    /// Runs once, after the writer was completed: every command still buffered is settled, every
    /// conversation ends, every model is freed.
    /// </summary>
    private void Shutdown()
    {
        try
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
        finally
        {
            stopped.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId} ready: {Slots} slots of {ContextSize} tokens")]
    private static partial void LogAttached(ILogger logger, string modelId, int slots, int contextSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId} unloaded")]
    private static partial void LogDetached(ILogger logger, string modelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "A decode step of model {ModelId} failed; its conversations end with an error")]
    private static partial void LogStepFailed(ILogger logger, string modelId, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The inference loop failed; every pending generation is cancelled")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    private abstract record Command;

    private sealed record AttachCommand(ModelRunner Runner) : Command;

    private sealed record DetachCommand(ModelRunner Runner, TaskCompletionSource Done) : Command;

    private sealed record SubmitCommand(ModelRunner Runner, Conversation Conversation) : Command;

    private sealed record WakeCommand : Command
    {
        public static WakeCommand Instance { get; } = new();
    }
}
