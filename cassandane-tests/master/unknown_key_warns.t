#!/usr/bin/perl
# unknown_key_warns.t - an unknown key in imapd.conf or cyrus.conf is a
# warning naming file:line and the key; master starts and serves anyway.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'unknown',
    services => [{ name => 'svc', cmd => 'testsvc', prefork => 1,
                   frobnicate => 'yes' }],
    imapd_conf_text => "# unknown key follows\nfrobnicate_widgets: 12\n");
$i->prepare;
my $imapd = $i->imapd_conf;
my $cyrus = $i->cyrus_conf;
my ($iline) = line_of($imapd, qr/^frobnicate_widgets:/);
my ($cline) = line_of($cyrus, qr/\bfrobnicate=/);
$i->start;

ok($i->wait_for_log(qr/warn.*\Q$imapd\E:$iline\b.*frobnicate_widgets|\Q$imapd\E:$iline\b.*frobnicate_widgets.*warn/i, 5),
   "imapd.conf: warning names $imapd:$iline and the key")
    or diag($i->log_tail(20));
ok($i->wait_for_log(qr/warn.*\Q$cyrus\E:$cline\b.*frobnicate|\Q$cyrus\E:$cline\b.*frobnicate.*warn/i, 5),
   "cyrus.conf: warning names $cyrus:$cline and the key")
    or diag($i->log_tail(20));

my $c = $i->line_client('svc');
like($c->banner, qr/service=svc/, 'master serves despite the unknown keys');
$c->cmd('QUIT');
$i->stop;
done_testing;

sub line_of {
    my ($file, $re) = @_;
    open(my $fh, '<', $file) or die "$file: $!";
    while (<$fh>) { return $. if $_ =~ $re }
    die "no line matching $re in $file";
}
