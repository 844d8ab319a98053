using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class FieldMatchSyntaxTests
{
    [Fact]
    public void Reads_the_forms_operators_write()
    {
        Assert.Equal(FieldMatchType.MaskEqual, FieldMatchSyntax.Parse(MatchField.SourceIp, "198.18.0.0/15").Type);
        Assert.Equal(FieldMatch.Equal(MatchField.Protocol, 6), FieldMatchSyntax.Parse(MatchField.Protocol, "tcp"));
        Assert.Equal(FieldMatch.Equal(MatchField.EtherType, 0x86DD), FieldMatchSyntax.Parse(MatchField.EtherType, "0x86dd"));
        Assert.Equal(FieldMatch.Range(MatchField.SourcePort, 1000, 2000), FieldMatchSyntax.Parse(MatchField.SourcePort, "1000-2000"));
        Assert.Equal(FieldMatch.Equal(MatchField.DestinationMac, 0x0200_0000_00FF), FieldMatchSyntax.Parse(MatchField.DestinationMac, "02:00:00:00:00:ff"));
        Assert.Equal(FieldMatch.AnyBit(MatchField.TcpFlags, 0x12), FieldMatchSyntax.Parse(MatchField.TcpFlags, "syn|ack"));
        Assert.Equal(FieldMatch.Equal(MatchField.Encapsulation, (UInt128)(int)Encapsulation.Vxlan), FieldMatchSyntax.Parse(MatchField.Encapsulation, "vxlan"));
        Assert.Equal(FieldMatchType.MaskEqual, FieldMatchSyntax.Parse(MatchField.DestinationIp, "2001:db8::/32").Type);
        Assert.Equal(new FieldMatch(MatchField.Dscp, FieldMatchType.MaskEqual, 0x20, 0x38), FieldMatchSyntax.Parse(MatchField.Dscp, "0x20/0x38"));
    }

    [Theory]
    [InlineData(MatchField.SourceIp, "198.18.0.0/33")]
    [InlineData(MatchField.SourceIp, "not-an-ip")]
    [InlineData(MatchField.DestinationPort, "http")]
    [InlineData(MatchField.DestinationPort, "70000")]
    [InlineData(MatchField.DestinationPort, "90-10")]
    [InlineData(MatchField.SourceMac, "02:00:00")]
    [InlineData(MatchField.TcpFlags, "syn|bogus")]
    [InlineData(MatchField.Protocol, "")]
    [InlineData(MatchField.SourceIp, "010.0.0.1")]
    [InlineData(MatchField.SourceIp, "192.168.1")]
    [InlineData(MatchField.SourceIp, "4294967295")]
    [InlineData(MatchField.SourceIp, "0x0a.0.0.1")]
    [InlineData(MatchField.SourceIp, "fe80::1%eth0")]
    [InlineData(MatchField.SourceIp, "::1-198.18.0.1")]
    public void Bad_text_gets_a_readable_error(MatchField field, string text)
    {
        var e = Assert.Throws<FilterSpecException>(() => FieldMatchSyntax.Parse(field, text));
        Assert.StartsWith(field.ToString(), e.Message);
    }

    [Fact]
    public void An_ipv6_address_written_with_a_dotted_quad_takes_an_ipv6_prefix_length()
    {
        var m = FieldMatchSyntax.Parse(MatchField.SourceIp, "64:ff9b::1.2.3.4/96");
        var net = FieldMatchSyntax.Parse(MatchField.SourceIp, "64:ff9b::/96");
        Assert.Equal((net.Type, net.Operand, net.Header), (m.Type, m.Operand, m.Header));
        Assert.Throws<FilterSpecException>(() => FieldMatchSyntax.Parse(MatchField.SourceIp, "64:ff9b::1.2.3.4/129"));
    }

    [Theory]
    [InlineData("sourcePort,destinationPort")]
    [InlineData(" sourcePort ")]
    [InlineData("7")]
    public void A_match_key_is_one_field_name_whole(string key)
    {
        var e = Assert.Throws<FilterSpecException>(() => FilterSpec.ReadList($$"""[{ "id": "x", "match": { "{{key}}": "3" } }]""", "f.json"));
        Assert.Contains("is not a match field", e.Message);
    }

    [Fact]
    public void Filter_specs_from_json_and_their_errors()
    {
        var specs = FilterSpec.ReadList("""
            [ { "id": "web", "priority": 5, "action": "drop", "queue": 1, "match": { "protocol": "tcp", "destinationPort": "80" } } ]
            """, "test.json");
        Assert.Equal(FilterAction.Drop, specs[0].Action);
        Assert.Equal(2, specs[0].ParseMatches().Count);

        var unknownField = Assert.Throws<FilterSpecException>(() => FilterSpec.ReadList("""[{"id":"x","match":{"port":"80"}}]""", "f.json"));
        Assert.StartsWith("f.json: [0].match.port (filter 'x'): is not a match field (known: destinationMac, ", unknownField.Message);
        var duplicate = Assert.Throws<FilterSpecException>(() => FilterSpec.ReadList("""[{"id":"x"},{"id":"x"}]""", "f.json"));
        Assert.Contains("appears twice", duplicate.Message);
        var badJson = Assert.Throws<FilterSpecException>(() => FilterSpec.ReadList("""[{"id":"x","priorty":1}]""", "f.json"));
        Assert.StartsWith("f.json", badJson.Message);
    }
}
