using FsCheck;
using FsCheck.Fluent;
using PdCluster.Tests.Fuzzing;
using PdCluster.Vfp;

namespace PdCluster.Tests.Vfp;

/// <summary>The rule document: what it reads, what it refuses and how it says so, and a mutation fuzzer.</summary>
public sealed class VfpRuleTests
{
    private const string Valid = """
        { "schemaVersion": 1, "id": "web-vip", "layer": "nat", "group": "lb", "direction": "inbound", "priority": 5,
          "match": { "protocol": "tcp", "sourceIp": "198.18.0.0/15", "sourcePort": "1024-65535" },
          "action": "dnat", "dnat": { "vip": "198.18.0.10:80", "dip": "198.18.1.5:8080" } }
        """;

    [Fact]
    public void A_document_reads_and_writes_back_the_same()
    {
        var rule = VfpRule.Read(Valid, "test");
        Assert.Equal(("web-vip", "nat", "lb", VfpDirection.Inbound, 5, VfpAction.DestinationNat), (rule.Id, rule.Layer, rule.Group, rule.Direction, rule.Priority, rule.Action));
        Assert.Equal("198.18.1.5:8080", rule.Dnat!.Dip);
        var json = rule.ToJson();
        using (var written = System.Text.Json.JsonDocument.Parse(json))
            Assert.Equal(["schemaVersion", "id", "layer", "group", "direction", "priority", "match", "action", "dnat"], written.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(json, VfpRule.Read(json, "again", "web-vip").ToJson());
        var allow = VfpRule.Read("""{"schemaVersion":1,"id":"a","layer":"acl","group":"g","direction":"outbound","action":"allow"}""", "test");
        Assert.DoesNotContain("dnat", allow.ToJson());
        Assert.DoesNotContain("match", allow.ToJson());
    }

    [Theory]
    [InlineData("""{"schemaVersion":2,"id":"r","future":1}""", "src: schemaVersion: 2 is newer than this pd reads (1); upgrade pd on this node to read it.")]
    [InlineData("""{"schemaVersion":0,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"allow"}""", "src: schemaVersion: must be 1 (got 0).")]
    [InlineData("""{"id":"r","layer":"acl","group":"g","direction":"inbound","action":"allow"}""", "src: schemaVersion: is required.")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","action":"allow"}""", "src: direction: is required.")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"sideways","action":"allow"}""", "src: direction: must be one of inbound, outbound (got 'sideways').")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"drop"}""", "src: action: must be one of allow, block, count, dnat (got 'drop').")]
    [InlineData("""{"schemaVersion":1,"id":"a/b","layer":"acl","group":"g","direction":"inbound","action":"allow"}""", "src: id: 'a/b' is not a name: 1 to 64 characters")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"","group":"g","direction":"inbound","action":"allow"}""", "src: layer: '' is not a name")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"allow","priority":-3}""", "src: priority: must be 0 or more (got -3); lower wins.")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"allow","match":{"port":"1"}}""", "src: match.port: is not a match field")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"allow","match":{"destinationPort":"90-80"}}""", "src: match.destinationPort: the range's low end 90 is above its high end 80.")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"allow","match":{"sourceIp":"198.18.0.0/33"}}""", "src: match.sourceIp: IPv4 prefix length 33 is above 32.")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"allow","dnat":{"vip":"1.1.1.1","dip":"2.2.2.2"}}""", "src: dnat: is only for action dnat (the action is allow).")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"dnat"}""", "src: dnat: action dnat needs")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"dnat","match":{"protocol":"tcp"},"dnat":{"vip":"1.1.1.1:80","dip":"2.2.2.2"}}""", "src: dnat.dip: give a port on both vip and dip, or on neither.")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"dnat","dnat":{"vip":"2001:db8::1","dip":"2.2.2.2"}}""", "src: dnat.vip: '2001:db8::1' is not an IPv4 address with an optional port")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"dnat","dnat":{"vip":"1.1.1.1","dip":"2.2.2.0/24"}}""", "src: dnat.dip: '2.2.2.0/24' is not an IPv4 address")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"dnat","dnat":{"vip":"1.1.1","dip":"2.2.2.2"}}""", "src: dnat.vip: '1.1.1' is not an IP address")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"dnat","match":{"protocol":"tcp"},"dnat":{"vip":"1.1.1.1:99999","dip":"2.2.2.2:80"}}""", "src: dnat.vip: 99999 does not fit in 16 bits")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"dnat","dnat":{"vip":"1.1.1.1:80","dip":"2.2.2.2:80"}}""", "src: match.protocol: a dnat rule with ports must match protocol tcp or udp.")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"dnat","match":{"destinationIp":"1.1.1.1"},"dnat":{"vip":"1.1.1.1","dip":"2.2.2.2"}}""", "src: match.destinationIp: a dnat rule matches its vip; leave this condition out.")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"allow","extra":true}""", "src: extra: is not a key here")]
    [InlineData("""{"schemaVersion":1,"id":"r","layer":"acl","group":"g","direction":"inbound","action":"allow","priority":null}""", "src: priority: must not be null")]
    [InlineData("""{"schemaVersion":1,"id":"r" """, "src: line 1, column ")]
    [InlineData("""[]""", "src: the file must hold a JSON object (got a list).")]
    public void A_bad_document_is_refused_naming_the_source_the_key_and_the_problem(string json, string message)
    {
        var e = Assert.Throws<VfpRuleException>(() => VfpRule.Read(json, "src"));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void A_document_under_another_id_s_key_is_refused()
    {
        var e = Assert.Throws<VfpRuleException>(() => VfpRule.Read(Valid, "/pd/lab/vswitch/sw/rules/vm1/other", "other"));
        Assert.Equal("/pd/lab/vswitch/sw/rules/vm1/other: id: 'web-vip' differs from the id its key names ('other').", e.Message);
    }

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "2", "99999999999", "1e400", "\"schemaVersion\"", "\"id\"", "\"layer\"",
        "\"match\"", "\"dnat\"", "\"vip\"", "\"action\"", "\"block\"", "\"count\"", "\"allow\"", "\"outbound\"", "\":80\"", "\"0.0.0.0/0\"",
        "\"1-2\"", "\\u0000", "/*", "\uFFFF",
    ];

    [Fact]
    public void Whatever_the_damage_the_reader_reads_a_valid_rule_or_refuses_it_with_its_own_error()
    {
        Prop.ForAll(JsonDamage.Of(Valid, Tokens), text =>
        {
            try
            {
                var rule = VfpRule.Read(text, "fuzz");
                // What reads is a rule a port takes, and it writes back to itself.
                Assert.Equal(rule.ToJson(), VfpRule.Read(rule.ToJson(), "again", rule.Id).ToJson());
                new VfpPort("fuzz").Apply(new VfpPolicy([new VfpLayer(rule.Layer, 1)], [new VfpGroup(rule.Layer, rule.Group, rule.Direction, 1)], [rule]));
            }
            catch (VfpRuleException e)
            {
                Assert.StartsWith("fuzz: ", e.Message);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }
}
