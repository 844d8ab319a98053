namespace PdCluster.Actors.Framework;

/// <summary>
/// Asks the node to hand <paramref name="Adapter"/> over to <paramref name="Borrower"/> (a VM switch, whose external port it
/// becomes): the adapter's supervisor stops, its queues quiesce in PD's order and its provider closes, and then the asker
/// hears <see cref="AdapterLent"/> and may open the adapter itself. <see cref="ReturnAdapter"/> gives it back. A loan asked
/// for while the adapter is lent waits until it comes back.
/// </summary>
public sealed record LendAdapter(string Adapter, string Borrower);

/// <summary>The adapter's own data path is closed and every buffer is home: the borrower may open it now.</summary>
public sealed record AdapterLent(string Adapter);

/// <summary>The borrower has closed the adapter: the node's supervisor opens it again, with the filters published meanwhile.</summary>
public sealed record ReturnAdapter(string Adapter);

/// <summary>What the borrower of lent <paramref name="Adapter"/> says it is doing with it now (the node's status shows it), e.g. that its port is down.</summary>
public sealed record LentAdapterChanged(string Adapter, string Detail);
