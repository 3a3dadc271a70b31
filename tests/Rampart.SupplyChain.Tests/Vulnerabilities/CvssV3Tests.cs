using Rampart.SupplyChain.Vulnerabilities;

namespace Rampart.SupplyChain.Tests.Vulnerabilities;

/// <summary>Scores published by FIRST's CVSS v3.1 calculator and NVD for these vectors.</summary>
public sealed class CvssV3Tests
{
    [Theory]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0)]
    [InlineData("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8)] // CVE-2024-1086
    [InlineData("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1)] // reflected XSS
    [InlineData("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 6.5)]
    [InlineData("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0)]
    public void A_vector_scores_as_the_specification_computes(string vector, double score) => Assert.Equal(score, CvssV3.BaseScore(vector));

    [Theory]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H")]
    [InlineData("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    [InlineData("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    [InlineData("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")]
    public void An_incomplete_or_foreign_vector_has_no_score(string vector) => Assert.Null(CvssV3.BaseScore(vector));

    [Fact]
    public void Roundup_rounds_up_to_one_decimal_without_floating_point_surprises()
    {
        Assert.Equal(4.1, CvssV3.Roundup(4.02));
        Assert.Equal(4.0, CvssV3.Roundup(4.00));
        Assert.Equal(4.0, CvssV3.Roundup(4.000000000000001));
    }
}
