namespace Rampart.Updates.Rollouts;

/// <summary>A rollout's own state.</summary>
public enum RolloutState
{
    /// <summary>Notifying devices wave by wave.</summary>
    Running,

    /// <summary>Held by an operator: nobody new is notified; devices already told carry on.</summary>
    Paused,

    /// <summary>Every selected device reached a terminal state and the criteria held.</summary>
    Completed,

    /// <summary>Stopped by its abort criteria; nobody new is notified.</summary>
    Aborted,

    /// <summary>Stopped by an operator; nobody new is notified.</summary>
    Cancelled,
}
