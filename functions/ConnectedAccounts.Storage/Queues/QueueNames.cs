namespace ConnectedAccounts.Storage.Queues;

/// <summary>Queue naming rules shared by every backend and by the hosts that process queues.</summary>
public static class QueueNames
{
    /// <summary>Where a message goes after its last failed delivery, as the Functions queue trigger names it.</summary>
    public static string Poison(string queueName) => queueName + "-poison";
}
