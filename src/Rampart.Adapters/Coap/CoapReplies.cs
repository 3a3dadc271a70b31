using System.Text;

namespace Rampart.Adapters.Coap;

/// <summary>Responses to a request (RFC 7252 §5.2): piggybacked in the ACK of a CON, a NON for a NON; errors carry a diagnostic payload (§5.5.2).</summary>
internal static class CoapReplies
{
    public static CoapMessage To(CoapMessage request, byte code, ushort nextMessageId, string? diagnostic = null, IReadOnlyList<CoapOption>? options = null, ReadOnlyMemory<byte> payload = default) =>
        new(request.Type == CoapType.Confirmable ? CoapType.Acknowledgement : CoapType.NonConfirmable, code,
            request.Type == CoapType.Confirmable ? request.MessageId : nextMessageId, request.Token, options ?? [],
            diagnostic is null ? payload : Encoding.UTF8.GetBytes(diagnostic));

    /// <summary>§4.2/§4.3: a message that cannot be processed (or an Empty CON, a "CoAP ping") is answered with a Reset.</summary>
    public static CoapMessage Reset(ushort messageId) => new(CoapType.Reset, CoapCodes.Empty, messageId, ReadOnlyMemory<byte>.Empty, [], ReadOnlyMemory<byte>.Empty);
}
