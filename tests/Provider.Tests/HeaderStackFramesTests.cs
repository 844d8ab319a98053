using PdCluster.Queues.Classification;

namespace PdCluster.Tests.Provider;

/// <summary>The differential test's frames are worth sending: whatever the seed, they make the Classifier pick every filter of the set, and none.</summary>
public sealed class HeaderStackFramesTests
{
    [Fact]
    public void For_any_seed_the_frames_make_the_Classifier_pick_every_filter_and_none()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var (_, rules, expected) = AfXdpClassifierDifferentialTests.Plan(seed);
            var missed = Missed(rules, expected);
            Assert.True(missed.Count == 0, $"Seed {seed}: no frame gets outcome(s) {string.Join(", ", missed)} (-1: none; {AfXdpClassifierDifferentialTests.Shadowed} listed means a frame picks it, which rule 0 must prevent).");
        }
    }

    [Fact]
    public void Frames_are_never_shorter_than_an_Ethernet_header_and_the_same_seed_gives_the_same_frames()
    {
        var a = new HeaderStackFrames(7);
        var b = new HeaderStackFrames(7);
        for (var i = 0; i < 2000; i++)
        {
            var frame = a.Next();
            Assert.True(frame.Length >= 14);
            Assert.Equal(frame, b.Next());
        }
    }

    /// <summary>The outcomes (rule indices, -1 for none) no frame gets, and the shadowed rule if a frame gets it.</summary>
    private static List<int> Missed(List<ClassifierRule> rules, List<int> expected) =>
        [.. Enumerable.Range(-1, rules.Count + 1).Where(rule => rule == AfXdpClassifierDifferentialTests.Shadowed ? expected.Contains(rule) : !expected.Contains(rule))];
}
