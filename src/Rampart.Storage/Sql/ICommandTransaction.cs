using System.Data.Common;
using Rampart.Fleet.Audit;

namespace Rampart.Storage.Sql;

/// <summary>
/// The audit writer's transaction as the stores see it, whichever the provider: commands that run
/// inside it, and the dialect to spell them in.
/// </summary>
internal interface ICommandTransaction : IStoreTransaction
{
    /// <summary>How the transaction's provider spells what SQL leaves to each engine.</summary>
    ISqlDialect Dialect { get; }

    /// <summary>A command on this transaction (on PostgreSQL carrying whatever waits to be sent in front of it).</summary>
    DbCommand Command(string sql);
}

/// <summary>Finds the command transaction behind a store transaction.</summary>
internal static class CommandTransactions
{
    /// <summary>The transaction behind <paramref name="transaction"/>; one of another kind is a wiring error.</summary>
    public static ICommandTransaction Of(IStoreTransaction transaction) =>
        transaction as ICommandTransaction
        ?? throw new ArgumentException($"a {transaction.GetType().Name} is not a store transaction of Rampart's databases", nameof(transaction));
}
