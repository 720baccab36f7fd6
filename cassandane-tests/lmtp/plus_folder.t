#!/usr/bin/perl
# plus_folder.t - user+folder delivers into that folder when anyone has
# the `p` right on it, else into INBOX; an unknown folder also falls back
# to INBOX.  The user part is downcased, the folder keeps its case.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::LMTP;

skip_unless_built(qw(master lmtpd mbtool));

my $n = Murder::LMTP::lmtpd_node(users => ['alice']);
Murder::LMTP::mbtool($n, 'create', 'user.alice.Lists', 'alice=lrswipkxtea,anyone=p');
Murder::LMTP::mbtool($n, 'create', 'user.alice.Private', 'alice=lrswipkxtea');
my $c = Murder::LMTP->connect($n);
for my $rcpt ('Alice+Lists@x', 'alice+Private@x', 'alice+Nope@x') {
    my $r = $c->deliver('s@x', [$rcpt], Murder::LMTP::message());
    like($r->{data}[0], qr/^250 2\.1\.5/, "$rcpt delivered");
}
is(scalar(Murder::LMTP::messages($n, 'user.alice.Lists')), 1, 'p right: into Lists');
is(scalar(Murder::LMTP::messages($n, 'user.alice.Private')), 0, 'no p right: not into Private');
is(scalar(Murder::LMTP::messages($n, 'user.alice')), 2, 'the others went to INBOX');
done_testing;
