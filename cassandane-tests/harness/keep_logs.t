#!/usr/bin/perl
# keep_logs.t - the harness's verdicts on a whole test, checked by running
# small test scripts in a subprocess: a passing test's directory is
# removed; a failing test's is kept, its path printed, with the daemon logs
# in it; a sanitizer report file of a daemon fails an otherwise passing
# test; the test alarm ends a hung test, fails it and still stops master.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::Util qw(wait_for proc_alive slurp spew);
use File::Temp qw(tempdir);

skip_unless_built(qw(master testsvc));

my $lib = "$FindBin::Bin/../lib";
my $tmp = tempdir('murder-selftest-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod(0755, $tmp);

# run_script - run a test script body; returns (exit code, output, dir).
sub run_script {
    my ($name, $body) = @_;
    my $file = "$tmp/$name.t";
    spew($file, <<"PL");
use lib '$lib';
use Murder::Test timeout => 8;
use Murder::Instance;
my \$i = Murder::Instance->new(name => 'n',
    services => [{ name => 'svc', cmd => 'testsvc', prefork => 1 }]);
\$i->start;
print STDERR "MASTER_PID=", \$i->pid, "\\n";
print STDERR "ROOT=", \$i->root, "\\n";
$body
PL
    my $out = `MURDER_TMPDIR=$tmp/runs MURDER_KEEP= $^X $file 2>&1`;
    my $code = $? >> 8;
    my ($root) = $out =~ /^ROOT=(\S+)/m;
    return ($code, $out, $root);
}

{
    my ($code, $out, $root) = run_script('pass', 'ok(1, "fine"); $i->stop; done_testing;');
    is($code, 0, 'passing script exits 0') or diag($out);
    ok($root && !-e $root, 'passing test: its directory is removed');
    unlike($out, qr/logs kept/, 'passing test: nothing kept');
}
{
    my ($code, $out, $root) = run_script('fail', 'ok(0, "deliberate"); $i->stop; done_testing;');
    isnt($code, 0, 'failing script exits non-zero');
    like($out, qr/logs kept in \S+/, 'failing test: prints where logs are kept');
    ok($root && -d "$root/logs", 'failing test: directory kept');
    ok($root && -f "$root/conf/imapd.conf" && -f "$root/conf/cyrus.conf", 'with both config files');
}
{
    my ($code, $out, $root) = run_script('died',
        'die "boom\n";');    # no stop: the END block must stop master
    my ($mpid) = $out =~ /MASTER_PID=(\d+)/;
    isnt($code, 0, 'a test that dies exits non-zero');
    ok($mpid && !proc_alive($mpid), 'its master was stopped at exit');
    ok($root && -d $root, 'its logs are kept');
}
{
    my ($code, $out, $root) = run_script('sanitizer',
        'open(my $f, ">", $i->root . "/logs/asan.99999"); print $f "==99999==ERROR: AddressSanitizer: heap-use-after-free\n"; close($f); ok(1); $i->stop; done_testing;');
    isnt($code, 0, 'a sanitizer report fails an otherwise passing test');
    like($out, qr/sanitizer report/, 'and is named in the output');
    like($out, qr/heap-use-after-free/, 'with its text');
}
{
    my ($code, $out, $root) = run_script('hang', 'sleep 60;');
    my ($mpid) = $out =~ /MASTER_PID=(\d+)/;
    isnt($code, 0, 'a hung test is ended by its alarm');
    like($out, qr/timeout/, 'reported as a timeout');
    ok($mpid && !proc_alive($mpid), 'its master was stopped');
}
done_testing;
