# SPDX-License-Identifier: BSD-3-Clause
# Murder::Test - the preamble of every integration test:
#
#   use Murder::Test timeout => 60;     # Test::More, strict, warnings, alarm
#   skip_unless_built(qw(master testsvc));
#
# The alarm (default 60 s, MURDER_TIMEOUT_SCALE multiplies it, e.g. for
# valgrind) fails the test and exits; Murder::Instance's END block then
# stops every instance and keeps the logs.  SIGINT/SIGTERM do the same.
package Murder::Test;
use strict;
use warnings;
use Test::More ();
use Murder::Util qw(find_binary build_dir);
use Exporter ();

our @EXPORT = qw(skip_unless_built);

sub import {
    my ($class, %a) = @_;
    my $timeout = ($a{timeout} // 60) * ($ENV{MURDER_TIMEOUT_SCALE} // 1);
    my $caller = caller;
    strict->import;
    warnings->import;
    eval "package $caller; use Test::More; 1" or die $@;
    no strict 'refs';
    *{"${caller}::$_"} = \&{"Murder::Test::$_"} for @EXPORT;
    $SIG{ALRM} = sub {
        Test::More::fail("test finished within ${timeout}s");
        Test::More::diag("timeout: test did not finish within ${timeout}s");
        exit(142);
    };
    $SIG{INT} = sub { Test::More::diag('interrupted'); exit(130) };
    $SIG{TERM} = sub { Test::More::diag('terminated'); exit(143) };
    $SIG{HUP} = sub { exit(129) };
    # A closed output (prove -v | head) or a peer gone must not kill the
    # test before its END block stops the daemons: writes fail instead.
    $SIG{PIPE} = 'IGNORE';
    alarm($timeout);
}

# skip_unless_built - skip the whole test when a program is not built.
sub skip_unless_built {
    my @missing = grep { !find_binary($_) } @_;
    return unless @missing;
    Test::More::plan(skip_all => "not built in " . build_dir() . ": @missing");
}

1;
