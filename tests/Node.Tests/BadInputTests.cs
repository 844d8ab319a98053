using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;

namespace PdCluster.Tests.Node;

/// <summary>
/// Issue 8's cases, one row each: input that crashed <c>pd</c> or was accepted silently is refused with a message
/// naming the file, the key and the problem. The command-line cases (durations, URLs, captures) are in <see cref="NodeProcessTests"/>.
/// </summary>
public sealed class BadInputTests
{
    private static string Refused(TempConfig config) => Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path)).Message;

    private static void Edit(TempConfig config, string path, string value) =>
        File.WriteAllText(config.Path, JsonEdit.Set(File.ReadAllText(config.Path), path, value));

    [Theory]
    // 2. null anywhere in node.json
    [InlineData("adapters", "null", "adapters: must not be null (leave the key out to use its default).")]
    [InlineData("adapters[0]", "null", "adapters[0]: must not be null.")]
    [InlineData("admin", "null", "admin: must not be null (leave the key out to use its default).")]
    [InlineData("admin.listen", "null", "admin.listen: must not be null (leave the key out to use its default).")]
    [InlineData("adapters[0].simulated.mac", "null", "adapters[0].simulated.mac: must not be null (leave the key out to use its default).")]
    [InlineData("adapters[0].simulated.pci", "null", "adapters[0].simulated.pci: must not be null (leave the key out to use its default).")]
    [InlineData("adapters[0].simulated.generator.flows[0]", "null", "adapters[0].simulated.generator.flows[0]: must not be null.")]
    // 2. "filters": "" and buffers that would not fit in memory
    [InlineData("filters", "\"\"", "filters: must name a filter file (leave the key out for the embedded default-filters.json).")]
    [InlineData("adapters[0].buffers", "2147483647", "adapters[0].buffers: must be at least 2 × queues × queueSize = 1024 and at most 1048576 (got 2147483647).")]
    // issue 9: a receive ring of its own size
    [InlineData("adapters[0].receiveQueueSize", "3000", "adapters[0].receiveQueueSize: must be a power of two from 2 to 8192 (got 3000).")]
    [InlineData("adapters[0].receiveQueueSize", "16384", "adapters[0].receiveQueueSize: must be a power of two from 2 to 8192 (got 16384).")]
    [InlineData("adapters[0].receiveQueueSize", "2048", "adapters[0].buffers: must be at least queues × (receiveQueueSize + queueSize) = 4608 and at most 1048576 (got 2048).")]
    // 3. accepted silently before
    [InlineData("adapters[0].simulated.generator.rate", "-5", "adapters[0].simulated.generator.rate: must be between 0 (as fast as it goes) and 100000000 packets/s (got -5).")]
    [InlineData("adapters[0].simulated.linkType", "7", "adapters[0].simulated.linkType: must be one of Ethernet, InfiniBand, Loopback, None, Other, written as a string (got 7).")]
    [InlineData("adapters[0].simulated.linkType", "\"Token\"", "adapters[0].simulated.linkType: must be one of Ethernet, InfiniBand, Loopback, None, Other (got 'Token').")]
    [InlineData("adapters[0].simulated.generator.flows[0].vlan", "5000", "adapters[0].simulated.generator.flows[0].vlan: must be a VLAN id from 0 to 4094 (got 5000; 4095 is reserved).")]
    // issue 11: generator frames addressed to a VM behind a switch on the adapter
    [InlineData("adapters[0].simulated.generator.flows[0].destinationMac", "\"01:00:5e:00:00:01\"", "adapters[0].simulated.generator.flows[0].destinationMac: '01:00:5e:00:00:01' is not a unicast MAC address, like 00:15:5d:00:00:01.")]
    [InlineData("adapters[0].simulated.generator.flows[0].destinationMac", "\"\"", "adapters[0].simulated.generator.flows[0].destinationMac: '' is not a unicast MAC address, like 00:15:5d:00:00:01.")]
    [InlineData("adapters[0].simulated.firmware", "null", "adapters[0].simulated.firmware: must not be null (leave the key out to use its default).")]
    [InlineData("adapters[0].simulated.firmware", "\"\"", "adapters[0].simulated.firmware: '' is not a version (numbers joined by dots, like 2.36.5150).")]
    [InlineData("adapters[0].simulated.driver", "\"new\"", "adapters[0].simulated.driver: 'new' is not a version (numbers joined by dots, like 5.25).")]
    // 3 and 4. a MAC needs six octets, and the error names simulated.mac
    [InlineData("adapters[0].simulated.mac", "\"02\"", "adapters[0].simulated.mac: must be six octets of two hex digits joined by ':', like 02:00:00:00:00:02 (got '02').")]
    [InlineData("adapters[0].simulated.mac", "\"01:00:5e:00:00:01\"", "adapters[0].simulated.mac: must be a unicast address: not all zeros, and the first octet even (got '01:00:5e:00:00:01').")]
    [InlineData("adapters[0].simulated.generator.flows[0].source", "\"::1\"", "adapters[0].simulated.generator.flows[0].destination: '198.18.1.1' is not of the source's address family ('::1').")]
    [InlineData("adapters[0].queues", "\"2\"", "adapters[0].queues: must be a whole number from -2147483648 to 2147483647 (got '2').")]
    [InlineData("adapters[0].pd", "\"yes\"", "adapters[0].pd: must be true or false (got 'yes').")]
    // 4. adapter names that URLs and metric labels cannot carry
    [InlineData("adapters[0].name", "\"..\"", "adapters[0].name: '..' is not an adapter name: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..' (it names the adapter in URLs and metric labels).")]
    [InlineData("adapters[0].name", "\".\"", "adapters[0].name: '.' is not an adapter name: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..' (it names the adapter in URLs and metric labels).")]
    [InlineData("adapters[0].name", "\"pd0/rx\"", "adapters[0].name: 'pd0/rx' is not an adapter name: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..' (it names the adapter in URLs and metric labels).")]
    [InlineData("adapters[0].name", "\"pd\\n0\"", "adapters[0].name: 'pd\\u000A0' is not an adapter name: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..' (it names the adapter in URLs and metric labels).")]
    [InlineData("adapters[0].name", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", "adapters[0].name: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (65 characters) is not an adapter name: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..' (it names the adapter in URLs and metric labels).")]
    [InlineData("adapters[0].queus", "2", "adapters[0].queus: is not a key here (known: name, provider, pd, queues, queueSize, receiveQueueSize, burst, buffers, drainNotification, pacedPoll, exceptionPath, checkedBuffers, interface, namespace, labels, team, addresses, simulated).")]
    // issue 9: paced polling sleeps on drain notification once traffic stops, so it needs it
    [InlineData("adapters[0].pacedPoll", "true", "adapters[0].pacedPoll: needs drainNotification true: a paced queue sleeps on drain notification once traffic stops.")]
    // issue 10: adapter labels, which cluster filter scopes pick adapters by
    [InlineData("adapters[0].labels", "[\"edge\", \"a b\"]", "adapters[0].labels[1]: 'a b' is not a label: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not '.' or '..' (cluster filters pick adapters by it).")]
    [InlineData("adapters[0].labels", "\"edge\"", "adapters[0].labels: must be a JSON list (got 'edge').")]
    // issue 9: the Linux interface of an afxdp adapter
    [InlineData("adapters[0].interface", "\"eth1\"", "adapters[0].interface: is for providers afxdp, afpacket and auto only (this adapter's provider is 'simulated').")]
    [InlineData("adapters[0].namespace", "\"lab\"", "adapters[0].namespace: is for providers afxdp, afpacket and auto only (this adapter's provider is 'simulated').")]
    public void A_bad_value_in_node_json_is_named_by_file_and_key(string path, string value, string expected)
    {
        using var config = new TempConfig();
        Edit(config, path, value);
        Assert.Equal($"{config.Path}: {expected}", Refused(config));
    }

    [Theory]
    [InlineData("\"\"", "''")]
    [InlineData("\"-vm-\"", "'-vm-'")]
    [InlineData("\"lab/vm-\"", "'lab/vm-'")]
    [InlineData("\"lab vm\"", "'lab vm'")]
    [InlineData("\"a-prefix-longer-than-32-characters\"", "'a-prefix-longer-than-32-characters'")]
    public void A_bad_vm_namespace_prefix_is_named_by_file_and_key(string value, string quoted)
    {
        using var config = new TempConfig();
        Edit(config, "vmNamespacePrefix", value);
        Assert.Equal($"{config.Path}: vmNamespacePrefix: {quoted} is not a namespace prefix: 1 to 32 characters of A-Z, a-z, 0-9, '.', '_' and '-', the first a letter or digit (a VM's network namespace is this prefix and the VM's name).",
            Refused(config));
    }

    [Fact]
    public void An_arp_flow_takes_no_destination_mac()
    {
        using var config = new TempConfig();
        Edit(config, "adapters[0].simulated.generator.flows[1].protocol", "\"arp\"");
        Edit(config, "adapters[0].simulated.generator.flows[1].destinationMac", "\"00:15:5d:00:00:01\"");
        Assert.Equal($"{config.Path}: adapters[0].simulated.generator.flows[1].destinationMac: an arp flow is broadcast; it takes no destinationMac.", Refused(config));
    }

    [Theory]
    [InlineData(null, null, "adapters[0].interface: must name the Linux interface for provider afxdp (for example eth1).")]
    [InlineData("\"\"", null, "adapters[0].interface: '' is not a Linux interface name (1 to 15 characters, no '/', ':' or spaces).")]
    [InlineData("\"a-name-longer-than-15\"", null, "adapters[0].interface: 'a-name-longer-than-15' is not a Linux interface name (1 to 15 characters, no '/', ':' or spaces).")]
    [InlineData("\"eth0/1\"", null, "adapters[0].interface: 'eth0/1' is not a Linux interface name (1 to 15 characters, no '/', ':' or spaces).")]
    [InlineData("\"eth1\"", "\"../x\"", "adapters[0].namespace: '../x' is not a network namespace name as 'ip netns' gives it (no '/' or spaces; leave the key out for the node's own).")]
    public void An_afxdp_adapter_needs_a_valid_interface_and_namespace(string? device, string? ns, string expected)
    {
        using var config = new TempConfig();
        Edit(config, "adapters[0].provider", "\"afxdp\"");
        if (device is not null)
            Edit(config, "adapters[0].interface", device);
        if (ns is not null)
            Edit(config, "adapters[0].namespace", ns);
        Assert.Equal($"{config.Path}: {expected}", Refused(config));
    }

    [Fact]
    public void Adapter_names_that_differ_only_in_case_are_one_name()
    {
        using var config = new TempConfig(TempConfig.Adapter("pd0") + "," + TempConfig.Adapter("PD0"));
        Assert.Equal($"{config.Path}: adapters[1].name: 'PD0' appears twice (names that differ only in case count as one).", Refused(config));
    }

    [Theory]
    [InlineData("afpacket")]
    [InlineData("auto")]
    public void An_afpacket_or_auto_adapter_needs_an_interface(string provider)
    {
        using var config = new TempConfig();
        Edit(config, "adapters[0].provider", $"\"{provider}\"");
        Assert.Equal($"{config.Path}: adapters[0].interface: must name the Linux interface for provider {provider} (for example eth1).", Refused(config));
    }

    [Theory]
    [InlineData("afxdp", "afxdp")]
    [InlineData("afpacket", "auto")]
    public void Two_adapters_on_one_interface_are_refused(string first, string second)
    {
        using var config = new TempConfig($$"""{ "name": "a0", "provider": "{{first}}", "interface": "eth1" }, { "name": "a1", "provider": "{{second}}", "interface": "eth1" }""");
        Assert.Equal($"{config.Path}: adapters[1].interface: 'eth1' is already adapters[0]'s interface; one adapter per interface.", Refused(config));
    }

    [Fact]
    public void A_simulated_port_on_an_afxdp_adapter_is_refused()
    {
        using var config = new TempConfig();
        Edit(config, "adapters[0].provider", "\"afxdp\"");
        Edit(config, "adapters[0].interface", "\"eth1\"");
        Assert.Equal($"{config.Path}: adapters[0].simulated: is for provider simulated only (this adapter's provider is 'afxdp').", Refused(config));
    }

    [Fact]
    public void A_json_null_config_says_so_rather_than_empty()
    {
        using var config = new TempConfig();
        File.WriteAllText(config.Path, "null");
        Assert.Equal($"{config.Path}: the file holds null; it must hold a JSON object.", Refused(config));
        File.WriteAllText(config.Path, " \n");
        Assert.Equal($"{config.Path}: it is empty; it must hold a JSON object.", Refused(config));
    }

    [Fact]
    public void A_syntax_error_names_line_and_column()
    {
        using var config = new TempConfig();
        File.WriteAllText(config.Path, "{\n  \"node\": x\n}");
        Assert.StartsWith($"{config.Path}: line 2, column 11: ", Refused(config));
    }

    [Fact]
    public void A_key_given_twice_is_refused()
    {
        using var config = new TempConfig();
        File.WriteAllText(config.Path, File.ReadAllText(config.Path).Replace("\"node\": \"test-node\",", "\"node\": \"a\", \"node\": \"b\","));
        Assert.Equal($"{config.Path}: node: appears twice.", Refused(config));
    }

    [Fact]
    public void Pools_that_together_need_more_than_half_the_memory_are_refused()
    {
        var perAdapter = (long)NodeConfigLoader.MaxBuffers * 2048;
        var adapters = (int)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2 / perAdapter) + 1;
        using var config = new TempConfig(string.Join(",", Enumerable.Range(0, adapters).Select(i => TempConfig.Adapter($"pd{i}"))));
        for (var i = 0; i < adapters; i++)
            Edit(config, $"adapters[{i}].buffers", NodeConfigLoader.MaxBuffers.ToString());
        Assert.StartsWith($"{config.Path}: adapters: the buffer pools need ", Refused(config));
    }

    [Theory]
    // 2. null in a filter file: an element, a match value
    [InlineData("""[null]""", "[0]: must not be null.")]
    [InlineData("""[{"id":"x","match":{"protocol":null}}]""", "[0].match.protocol: must not be null.")]
    // 3 and 4. enums by name only, with the names listed
    [InlineData("""[{"id":"x","action":7}]""", "[0].action: must be one of count, drop, steer, os, written as a string (got 7).")]
    [InlineData("""[{"id":"x","action":"bounce"}]""", "[0].action: must be one of count, drop, steer, os (got 'bounce').")]
    [InlineData("""[{"id":"x","match":{"protocol":"sctp"}}]""", "[0].match.protocol (filter 'x'): 'sctp' is not one of icmp, tcp, udp, gre, icmpv6 or a number.")]
    [InlineData("""[{"id":"x","match":{"etherType":"ipx"}}]""", "[0].match.etherType (filter 'x'): 'ipx' is not one of ipv4, arp, ipv6, lldp or a number.")]
    // 4. a tcpFlags error has the filter id; a reversed range prints addresses
    [InlineData("""[{"id":"x","match":{"tcpFlags":"0"}}]""", "[0].match.tcpFlags (filter 'x'): the flag mask must be non-zero and fit in 8 bits (got 0).")]
    [InlineData("""[{"id":"x","match":{"tcpFlags":"syn|bogus"}}]""", "[0].match.tcpFlags (filter 'x'): 'bogus' is not a TCP flag (fin, syn, rst, psh, ack, urg, ece, cwr) or a number.")]
    [InlineData("""[{"id":"x","match":{"sourceIp":"198.18.0.9-198.18.0.1"}}]""", "[0].match.sourceIp (filter 'x'): the range's low end 198.18.0.9 is above its high end 198.18.0.1.")]
    [InlineData("""[{"id":"x","match":{"destinationIp":"2001:db8::9-2001:db8::1"}}]""", "[0].match.destinationIp (filter 'x'): the range's low end 2001:db8::9 is above its high end 2001:db8::1.")]
    [InlineData("""[{"id":"x","match":{"sourcePort":"1","SourcePort":"2"}}]""", "[0].match.SourcePort (filter 'x'): matches the same field as match.sourcePort; a filter matches a field once.")]
    [InlineData("""[{"id":"x","priority":-1}]""", "[0].priority (filter 'x'): must be 0 or more (got -1); lower applies first.")]
    [InlineData("""[{"id":"x"},{"id":"far","queue":5}]""", "[1].queue (filter 'far'): steers to queue 5, but adapter pd0 has only queues 0..1.")]
    public void A_bad_filter_file_is_named_by_file_key_and_filter(string filters, string expected)
    {
        using var config = new TempConfig(extra: "\"filters\": \"filters.json\",");
        var file = Path.Combine(config.Directory, "filters.json");
        File.WriteAllText(file, filters);
        Assert.Equal($"{file}: {expected}", Refused(config));
    }

    [Theory]
    [InlineData("""{"linkTypes":["Ethernet"],"devices":[null]}""", "devices[0]: must not be null.")]
    [InlineData("""{"linkTypes":[7]}""", "linkTypes[0]: must be one of Ethernet, InfiniBand, Loopback, None, Other, written as a string (got 7).")]
    [InlineData("""{"linkTypes":["Ethernet"],"devices":[{"pci":"15b3:1007","minFirmware":"two"}]}""", "devices[0].minFirmware: 'two' is not a version (numbers separated by dots, like 2.36.5150).")]
    public void A_bad_requirements_file_is_named_by_file_and_key(string requirements, string expected)
    {
        using var config = new TempConfig(extra: "\"requirements\": \"requirements.json\",");
        var file = Path.Combine(config.Directory, "requirements.json");
        File.WriteAllText(file, requirements);
        Assert.Equal($"{file}: {expected}", Refused(config));
    }

    [Theory]
    [InlineData("filters")]
    [InlineData("requirements")]
    public void A_directory_missing_or_unreadable_file_named_in_the_config_is_refused(string key)
    {
        using var config = new TempConfig(extra: $"\"{key}\": \"sub\",");
        var sub = Directory.CreateDirectory(Path.Combine(config.Directory, "sub")).FullName;
        Assert.Equal($"{config.Path}: {key}: {sub}: is a directory, not a file.", Refused(config));

        Edit(config, key, "\"missing.json\"");
        Assert.Equal($"{config.Path}: {key}: {Path.Combine(config.Directory, "missing.json")}: no such file.", Refused(config));

        Edit(config, key, "\"/proc/self/mem\"");
        Assert.StartsWith($"{config.Path}: {key}: /proc/self/mem: cannot be read: ", Refused(config));
    }

    [Fact]
    public void A_directory_or_unreadable_file_as_the_config_is_refused()
    {
        using var config = new TempConfig();
        Assert.Equal($"{config.Directory}: is a directory, not a file.", Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Directory)).Message);
        Assert.StartsWith("/proc/self/mem: cannot be read: ", Assert.Throws<ConfigException>(() => NodeConfigLoader.Load("/proc/self/mem")).Message);
        var missing = Path.Combine(config.Directory, "nope.json");
        Assert.Equal($"{missing}: no such file.", Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(missing)).Message);
    }

    [Fact]
    public async Task An_admin_port_another_process_holds_is_refused_naming_the_key_and_how_to_find_the_holder()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        using var config = new TempConfig();
        Edit(config, "admin.listen", $"\"127.0.0.1:{port}\"");

        var refused = await Assert.ThrowsAsync<ConfigException>(() => NodeHost.StartAsync(NodeConfigLoader.Load(config.Path)));
        Assert.StartsWith($"{config.Path}: admin.listen: cannot listen on 127.0.0.1:{port}: ", refused.Message);
        Assert.Contains($"another process has the port: a node still running? `ss -ltnp 'sport = :{port}'` names it", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_endpoint_on_port_0_reports_and_registers_the_port_it_bound()
    {
        using var config = new TempConfig();
        Edit(config, "admin.listen", "\"127.0.0.1:0\"");
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            var port = new Uri(host.AdminUrl).Port;
            Assert.NotEqual(0, port);
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            var deadline = DateTime.UtcNow.AddSeconds(10);
            string members;
            while (!(members = await http.GetStringAsync("/members")).Contains($"127.0.0.1:{port}"))
            {
                Assert.True(DateTime.UtcNow < deadline, $"the member record never showed port {port}: {members}");
                await Task.Delay(50);
            }
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
    }
}
