namespace Rampart.Privacy.Classification;

/// <summary>The live schema's tables and columns, so the inventory can name any field no one classified.</summary>
public interface IStoredColumns
{
    /// <summary>Every (table, column) of the database.</summary>
    Task<IReadOnlyList<(string Table, string Column)>> ColumnsAsync(CancellationToken cancellationToken);
}
