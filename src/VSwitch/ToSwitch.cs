namespace PdCluster.VSwitch;

/// <summary>Hands <paramref name="Message"/> to the agent's switch <paramref name="Switch"/> (a <see cref="GetSwitchStatus"/>, say), the answer going to the asker; for a switch this node does not run, the answer is <see cref="NoSuchSwitch"/>.</summary>
public sealed record ToSwitch(string Switch, object Message);

/// <summary>This node runs no switch of that name.</summary>
public sealed record NoSuchSwitch(string Switch);
