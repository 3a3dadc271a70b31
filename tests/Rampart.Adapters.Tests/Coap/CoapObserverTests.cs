using Rampart.Adapters.Coap;

namespace Rampart.Adapters.Tests.Coap;

/// <summary>RFC 7252 §4.2 retransmission of confirmable notifications, and RFC 7641 §4.5's choice of CON.</summary>
public sealed class CoapObserverTests
{
    private static CoapListenerOptions Fast(bool confirmable = true) => new()
    {
        ConfirmableNotifications = confirmable, ConfirmableEvery = 3, AckTimeout = TimeSpan.FromMilliseconds(10), AckRandomFactor = 1.5, MaxRetransmit = 3,
    };

    private static CoapMessage Notification(CoapType type, ushort messageId) =>
        new(type, CoapCodes.Content, messageId, new byte[] { 7 }, [], "x"u8.ToArray());

    [Fact]
    public async Task An_unacknowledged_notification_is_sent_once_and_retransmitted_MaxRetransmit_times_with_the_same_message_id()
    {
        var sent = new List<CoapMessage>();
        ushort id = 40;
        var observer = new CoapObserver(Fast(), TimeProvider.System, sent.Add, () => id++);

        Assert.Equal(NotificationOutcome.Unanswered, await observer.NotifyAsync(Notification, CancellationToken.None));
        Assert.Equal(4, sent.Count);
        Assert.All(sent, m => Assert.Equal((CoapType.Confirmable, (ushort)40), (m.Type, m.MessageId)));
        Assert.Equal(3, observer.Retransmissions);
    }

    [Fact]
    public async Task An_acknowledgement_ends_the_retransmissions_and_a_reset_rejects()
    {
        CoapObserver observer = null!;
        var sends = 0;
        ushort id = 1;
        observer = new CoapObserver(Fast(), TimeProvider.System, message =>
        {
            // The client answers the second transmission (the first was "lost").
            if (++sends % 2 == 0)
            {
                observer.Answer(message.MessageId, acknowledged: sends == 2);
            }
        }, () => id++);

        Assert.Equal(NotificationOutcome.Acknowledged, await observer.NotifyAsync(Notification, CancellationToken.None));
        Assert.Equal(2, sends);
        Assert.Equal(NotificationOutcome.Rejected, await observer.NotifyAsync(Notification, CancellationToken.None));
        Assert.False(observer.Answer(999, acknowledged: true));
    }

    [Fact]
    public async Task With_non_confirmable_notifications_every_nth_is_confirmable()
    {
        var types = new List<CoapType>();
        CoapObserver observer = null!;
        ushort id = 1;
        observer = new CoapObserver(Fast(confirmable: false), TimeProvider.System, message =>
        {
            types.Add(message.Type);
            if (message.Type == CoapType.Confirmable)
            {
                observer.Answer(message.MessageId, acknowledged: true);
            }
        }, () => id++);

        for (var i = 0; i < 6; i++)
        {
            await observer.NotifyAsync(Notification, CancellationToken.None);
        }

        Assert.Equal([CoapType.NonConfirmable, CoapType.NonConfirmable, CoapType.Confirmable, CoapType.NonConfirmable, CoapType.NonConfirmable, CoapType.Confirmable], types);
    }
}
